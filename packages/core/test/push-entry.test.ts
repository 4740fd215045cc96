// The entry sink of `@loki-sdk/core/adapter`: what Loki stores for typed entry inputs, by the same rules as push(),
// and the sink's lifecycle and flush. Over real HTTP to the receiver.
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { LokiReceiver } from '@loki-sdk/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEntrySink, labelsWithFields, type LokiEntryInput, type LokiEntrySink } from '../src/adapter-entry.js';
import type { LokiError } from '../src/errors.js';
import type { LokiClientOptions } from '../src/options.js';
import { client, receiver } from './helpers.js';

const NS_PER_MS = 1_000_000n;
/** A time Loki accepts (not older than a week). */
const MS = Date.now() - 60_000;

const sinks: LokiEntrySink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

function sink(r: LokiReceiver, options: LokiClientOptions = {}): { sink: LokiEntrySink; errors: LokiError[] } {
  const errors: LokiError[] = [];
  const s = createEntrySink({ host: r.url, exitHook: false, onError: (e) => errors.push(e), ...options });
  sinks.push(s);
  return { sink: s, errors };
}

function byLine(r: LokiReceiver) {
  return Object.fromEntries(r.entries().map((e) => [e.line, e]));
}

describe('pushEntry: what Loki stores', () => {
  it('labels (after the static ones, names sanitised), the level label, metadata names sanitised', async () => {
    const r = await receiver();
    const { sink: s } = sink(r, { labels: { app: 'shop', env: 'static' } });
    s.pushEntry({
      line: 'paid',
      level: 'info',
      labels: { env: 'prod', 'service.name': 'api', '0lead': 'w', empty: '', nil: null, user_id: 12345 },
      metadata: { 'http.status': 200, é: 'x', '9lives': true, '': 'dropped', gone: undefined, obj: { a: 1 } },
    });
    expect((await s.flush()).ok).toBe(true);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({
      app: 'shop',
      env: 'prod',
      level: 'info',
      service_name: 'api',
      _0lead: 'w',
      user_id: '12345',
    });
    expect(entry!.line).toBe('paid');
    expect(entry!.metadata).toEqual({ http_status: '200', key_: 'x', key_9lives: 'true', obj: '{"a":1}' });
    expect(s.stats().metadataNamesDropped).toBe(1);
  });

  it('levelLabel: false puts the level in metadata; a custom level label name is used as given', async () => {
    const r = await receiver();
    const off = sink(r, { levelLabel: false }).sink;
    off.pushEntry({ line: 'off', level: 'warn' });
    await off.flush();
    const named = sink(r, { levelLabel: 'severity' }).sink;
    named.pushEntry({ line: 'named', level: 'error' });
    await named.flush();
    const stored = byLine(r);
    expect(stored.off!.labels).toEqual({ service_name: 'unknown_service' });
    expect(stored.off!.metadata).toEqual({ level: 'warn' });
    expect(stored.named!.labels).toEqual({ severity: 'error' });
  });

  it('timestamps by the one time rule: ms, s, ns digits, bigint, Date, RFC 3339; unreadable ones counted', async () => {
    const r = await receiver();
    const { sink: s } = sink(r);
    // Whole seconds apart: entries of one stream less than 1 ms apart would be moved apart by the order tie-break.
    const at = (k: number): number => Math.floor(MS / 1000) * 1000 - k * 1000 + 123;
    const ns = (k: number): bigint => BigInt(at(k)) * NS_PER_MS;
    const cases: Array<[string, LokiEntryInput['timestamp'], bigint]> = [
      ['ms number', at(1), ns(1)],
      ['s number', Math.floor(at(2) / 1000), (ns(2) / 1_000_000_000n) * 1_000_000_000n],
      ['ns digits', (ns(3) + 7n).toString(), ns(3) + 7n],
      ['ns bigint', ns(4) + 9n, ns(4) + 9n],
      ['Date', new Date(at(5)), ns(5)],
      ['RFC 3339 with ns', new Date(at(6)).toISOString().replace('Z', '456789Z'), ns(6) + 456_789n],
    ];
    for (const [line, timestamp] of cases) s.pushEntry({ line, timestamp });
    // "now" (core anchors its clock to the monotonic one: within a millisecond of Date.now()).
    const before = BigInt(Date.now() - 1000) * NS_PER_MS;
    s.pushEntry({ line: '1970', timestamp: 12 });
    s.pushEntry({ line: 'teatime', timestamp: 'teatime' });
    s.pushEntry({ line: 'none' });
    expect((await s.flush()).ok).toBe(true);
    const stored = byLine(r);
    for (const [line, , want] of cases) expect([line, stored[line]!.timestampNs]).toEqual([line, want]);
    for (const line of ['1970', 'teatime', 'none']) expect(stored[line]!.timestampNs >= before).toBe(true);
    expect(s.stats().invalidTimestamps).toBe(2);
  });

  it('the same entry pushed as a record and as an entry input is stored the same (one path)', async () => {
    const r = await receiver();
    const { client: c } = client(r, { labels: { app: 'one' }, metadataMode: 'structured' });
    const { sink: s } = sink(r, { labels: { app: 'one' } });
    const t = MS;
    c.push({ line: 'same', level: 'info', timestamp: t, label_region: 'eu', labels: { tier: 'a' }, user: 'ann' });
    s.pushEntry({
      line: 'same',
      level: 'info',
      timestamp: t + 1,
      labels: { tier: 'a', region: 'eu' },
      metadata: { user: 'ann' },
    });
    await c.flush();
    await s.flush();
    const [a, b] = r.entries();
    expect(b!.labels).toEqual(a!.labels);
    expect(b!.metadata).toEqual(a!.metadata);
    expect(r.streams()).toHaveLength(1);
  });

  it('a record: its label_* fields follow its labels object (one making no label leaves it), fields its metadata', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    c.push({
      message: 'record',
      labels: { tier: 'a', zone: 'z1' },
      label_tier: 'b',
      label_zone: '',
      metadata: { user: 'ann', role: 'admin', gone: 'kept' },
      user: 'bob',
      gone: undefined,
    });
    await c.flush();
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ tier: 'b', zone: 'z1' });
    expect(entry!.metadata).toEqual({ user: 'bob', role: 'admin', gone: 'kept' });
  });

  it('metadataMode line: metadata merged into a JSON line, a text line wrapped', async () => {
    const r = await receiver();
    const { sink: s } = sink(r, { metadataMode: 'line' });
    s.pushEntry({ line: '{"msg":"json"}', metadata: { user: 'ann' } });
    s.pushEntry({ line: 'text', metadata: { user: 'bob' } });
    await s.flush();
    expect(r.entries().map((e) => e.line)).toEqual(['{"msg":"json","user":"ann"}', '{"message":"text","user":"bob"}']);
  });

  it('lineIsMessage: a line that looks like JSON is a message: metadata moved into it wraps it, as push() does', async () => {
    const r = await receiver();
    const { sink: s } = sink(r, { metadataMode: 'line' });
    const { client: c } = client(r, { metadataMode: 'line' });
    s.pushEntry({ line: '{"msg":"a"}', metadata: { user: 'ann' }, lineIsMessage: true });
    c.push({ line: '{"msg":"b"}', metadata: { user: 'bob' }, lineIsMessage: true });
    c.push({ message: '{"msg":"c"}', metadata: { user: 'cy' } });
    await s.flush();
    await c.flush();
    expect(r.entries().map((e) => e.line)).toEqual([
      '{"message":"{\\"msg\\":\\"a\\"}","user":"ann"}',
      '{"message":"{\\"msg\\":\\"b\\"}","user":"bob"}',
      '{"message":"{\\"msg\\":\\"c\\"}","user":"cy"}',
    ]);
    expect(r.entries().every((e) => Object.keys(e.metadata).length === 0)).toBe(true); // the flag is no metadata
  });

  it("labelsWithFields ranks a labels object and label fields as push() ranks a record's, the limit included", async () => {
    const r = await receiver();
    const { client: c } = client(r, { metadataMode: 'structured' });
    const { sink: s } = sink(r);
    // 14 names in the object, one making no label (l3); fields: one over an object label, one making no label over
    // one (which stays), two new ones, then l3: it comes after every other label, 16th, so it moves to metadata.
    const labels: Record<string, unknown> = {};
    for (let i = 1; i <= 14; i++) labels[`l${i}`] = i === 3 ? '' : `v${i}`;
    const fields: Record<string, unknown> = { l1: 'f1', l2: null, l15: 'f15', l16: 'f16', l3: 'f3' };
    const record: Record<string, unknown> = { line: 'ranked', labels };
    for (const [name, value] of Object.entries(fields)) record[`label_${name}`] = value;
    c.push(record);
    s.pushEntry({ line: 'ranked', labels: labelsWithFields(labels, fields) });
    await c.flush();
    await s.flush();
    const [a, b] = r.entries();
    expect(a!.labels.l1).toBe('f1');
    expect(a!.labels.l2).toBe('v2');
    expect(a!.labels.l16).toBe('f16');
    expect(a!.metadata).toEqual({ l3: 'f3' });
    expect(b!.labels).toEqual(a!.labels);
    expect(b!.metadata).toEqual(a!.metadata);
    // Either alone is handed back as it is; neither is written.
    expect(labelsWithFields(labels, undefined)).toBe(labels);
    expect(labelsWithFields(undefined, fields)).toBe(fields);
    expect(labels.l1).toBe('v1');
  });

  it('the cardinality guard and the label limit apply to entry inputs', async () => {
    const r = await receiver();
    const { sink: s, errors } = sink(r, { labels: { app: 'shop' } });
    for (let i = 0; i < 1000; i++) s.pushEntry({ line: `m${i}`, level: 'info', labels: { user_id: i } });
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`l${i}`, 'v']));
    s.pushEntry({ line: 'many', labels: many });
    expect((await s.flush()).ok).toBe(true);
    expect(r.entries()).toHaveLength(1001);
    expect(r.streams().length).toBeLessThanOrEqual(102);
    expect(byLine(r).m999!.metadata).toEqual({ user_id: '999' });
    expect(s.stats().demotedLabels).toEqual({ user_id: 101 });
    expect(errors.filter((e) => e.code === 'ERR_LOKI_CARDINALITY')).toHaveLength(1);
    expect(Object.keys(byLine(r).many!.labels)).toHaveLength(15);
    expect(s.stats().labelsMovedToMetadata).toBe(6);
  });

  it("an over-long line is dropped and counted; a JS caller's non-string line or non-object entry is kept as text", async () => {
    const r = await receiver();
    const { sink: s } = sink(r, { maxLineBytes: 100, oversizedLine: 'drop' });
    s.pushEntry({ line: 'x'.repeat(101) });
    s.pushEntry({ line: 42 } as unknown as LokiEntryInput);
    s.pushEntry('bare' as unknown as LokiEntryInput);
    const result = await s.flush();
    expect(result.droppedByReason.line_too_long).toBe(1);
    expect(r.entries().map((e) => e.line)).toEqual(['42', 'bare']);
    expect(s.stats().entriesPushed).toBe(3);
  });

  it('an entry whose fields throw when read is counted invalid_record, not thrown', async () => {
    const r = await receiver();
    const { sink: s, errors } = sink(r);
    const hostile = new Proxy<LokiEntryInput>(
      { line: 'x' },
      {
        ownKeys: () => {
          throw new Error('no keys');
        },
        get: (target, key) => {
          if (key === 'labels')
            return new Proxy(
              {},
              {
                ownKeys: () => {
                  throw new Error('no labels');
                },
              },
            );
          return Reflect.get(target, key);
        },
      },
    );
    expect(() => s.pushEntry(hostile)).not.toThrow();
    expect(s.stats().droppedByReason.invalid_record).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['ERR_LOKI_INVALID_RECORD']);
  });
});

describe('trace context through the sink', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('an entry pushed inside a span carries its ids; its own field of that name wins', async () => {
    const r = await receiver();
    const { sink: s } = sink(r);
    const span = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(trace.setSpan(context.active(), span), () => {
      s.pushEntry({ line: 'in span' });
      s.pushEntry({ line: 'own', metadata: { trace_id: 'mine' } });
    });
    await s.flush();
    const stored = byLine(r);
    expect(stored['in span']!.metadata).toEqual({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      trace_flags: '01',
    });
    expect(stored.own!.metadata.trace_id).toBe('mine');
  });
});

describe('the sink: lifecycle state and flush', () => {
  it('state is open, then closing while close() flushes, then ended; entries after close() are dropped', async () => {
    const r = await receiver();
    const { sink: s, errors } = sink(r);
    expect(s.state).toBe('open');
    s.pushEntry({ line: 'before' });
    const closing = s.close();
    expect(s.state).toBe('closing');
    s.pushEntry({ line: 'during' });
    const result = await closing;
    expect(s.state).toBe('ended');
    s.pushEntry({ line: 'after' });
    expect(result.acknowledged).toBe(1);
    expect(r.entries().map((e) => e.line)).toEqual(['before']);
    expect(s.stats().droppedByReason.closed).toBe(2);
    expect(errors.map((e) => e.code)).toContain('ERR_LOKI_CLOSED');
  });

  it('an unread flush tells no loss: the next flush a caller reads still says not ok', async () => {
    const r = await receiver();
    const { sink: s } = sink(r, { maxLineBytes: 10, oversizedLine: 'drop' });
    s.pushEntry({ line: 'far too long a line' });
    s.pushEntry({ line: 'ok' });
    const unread = await s.flush({ unread: true });
    expect(unread.droppedByReason.line_too_long).toBe(1);
    // Not told by the unread answer: the next one tells it, and only that one.
    expect((await s.flush()).ok).toBe(false);
    expect((await s.flush()).ok).toBe(true);
    // A read flush tells it: the next answer is ok.
    const control = sink(r, { maxLineBytes: 10, oversizedLine: 'drop' }).sink;
    control.pushEntry({ line: 'far too long a line' });
    expect((await control.flush()).ok).toBe(false);
    expect((await control.flush()).ok).toBe(true);
  });

  it("the client's flush ignores adapter options: its answer is always read", async () => {
    const r = await receiver();
    const { client: c } = client(r, { maxLineBytes: 10, oversizedLine: 'drop' });
    c.push({ line: 'far too long a line' });
    const loose = c as unknown as { flush(options: Record<string, unknown>): ReturnType<typeof c.flush> };
    expect((await loose.flush({ internal: true, unread: true, keepAlive: false })).ok).toBe(false);
    // Told by that answer.
    expect((await c.flush()).ok).toBe(true);
  });
});
