// info -> Loki entry, proven with real winston loggers against the receiver.
import type { LokiReceiver } from '@loki-sdk/testing';
import winston from 'winston';
import Transport from 'winston-transport';
import { describe, expect, it } from 'vitest';
import { LokiTransport, type LokiTransportOptions } from '../src/index.js';
import { closeAfter, receiver, snapshot } from './helpers.js';

const { format } = winston;

function setup(r: LokiReceiver, options: LokiTransportOptions = {}, loggerOptions: winston.LoggerOptions = {}) {
  const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false, ...options }));
  const logger = winston.createLogger({ transports: [transport], ...loggerOptions });
  return { logger, transport };
}

/** A transport that records what it was handed (the object itself and a deep snapshot at that moment). */
class Capture extends Transport {
  seen: Array<{ info: unknown; snapshot: unknown }> = [];
  override log(info: unknown, next: () => void): void {
    this.seen.push({ info, snapshot: snapshot(info) });
    next();
  }
}

describe('labels', () => {
  it('label_* fields, the labels object and static labels become stream labels and leave the line', async () => {
    const r = await receiver();
    const { logger, transport } = setup(
      r,
      { labels: { app: 'shop', env: 'test' } },
      { defaultMeta: { service: 'api' } },
    );
    logger.info('order placed', { label_region: 'eu', labels: { tier: 'gold' }, orderId: 42, amount: 9.5 });
    expect((await transport.flush()).ok).toBe(true);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ app: 'shop', env: 'test', level: 'info', region: 'eu', tier: 'gold' });
    expect(entry!.line).toBe('{"message":"order placed","service":"api","orderId":42,"amount":9.5}');
    expect(entry!.metadata).toEqual({});
  });

  it('precedence: static < labels object < label_* field; names are sanitised', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { labels: { env: 'static', 'service.name': 'svc' } });
    logger.info('m', { labels: { env: 'object', 'k8s.pod': 'p-1' }, label_env: 'field' });
    await transport.flush();
    expect(r.entries()[0]!.labels).toEqual({ env: 'field', level: 'info', service_name: 'svc', k8s_pod: 'p-1' });
  });

  it('the level label carries the raw level even when the logger colorizes; custom levels work', async () => {
    const r = await receiver();
    const { logger, transport } = setup(
      r,
      {},
      {
        levels: winston.config.syslog.levels,
        level: 'debug',
        format: format.combine(format.colorize(), format.simple()),
      },
    );
    logger.log('emerg', 'down');
    logger.log('notice', 'fyi');
    await transport.flush();
    expect(r.entries().map((e) => [e.labels.level, e.line])).toEqual([
      ['emerg', '{"message":"down"}'],
      ['notice', '{"message":"fyi"}'],
    ]);
  });

  it('levelLabel: false keeps the level in the line; levelLabel: "severity" renames the label', async () => {
    const r = await receiver();
    const off = setup(r, { levelLabel: false, labels: { t: 'off' } });
    const renamed = setup(r, { levelLabel: 'severity', labels: { t: 'renamed' } });
    off.logger.warn('careful', { k: 1 });
    renamed.logger.warn('careful');
    await Promise.all([off.transport.flush(), renamed.transport.flush()]);
    expect(r.entries({ t: 'off' })[0]).toMatchObject({
      labels: { t: 'off' },
      line: '{"message":"careful","level":"warn","k":1}',
    });
    expect(r.entries({ t: 'renamed' })[0]).toMatchObject({
      labels: { t: 'renamed', severity: 'warn' },
      line: '{"message":"careful"}',
    });
  });

  it('levelLabel: false and no labels anywhere: core labels the stream service_name="unknown_service" (Loki rejects a stream without labels)', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { levelLabel: false });
    logger.info('unlabelled');
    logger.info('labelled', { label_team: 'core' });
    expect(await transport.flush()).toMatchObject({ ok: true, acknowledged: 2 });
    expect(r.requests.map((q) => q.status)).toEqual([204]);
    expect(r.entries().map((e) => [e.labels, e.line])).toEqual([
      [{ service_name: 'unknown_service' }, '{"message":"unlabelled","level":"info"}'],
      [{ team: 'core' }, '{"message":"labelled","level":"info"}'],
    ]);
  });

  it('useWinstonMetaAsLabels / ignoredMeta (winston-loki names)', async () => {
    const r = await receiver();
    const { logger, transport } = setup(
      r,
      { useWinstonMetaAsLabels: true, ignoredMeta: ['requestId'] },
      { defaultMeta: { service: 'api' } },
    );
    logger.info('m', { requestId: 'r-1' });
    await transport.flush();
    expect(r.entries()[0]).toMatchObject({
      labels: { service: 'api', level: 'info' },
      line: '{"message":"m","requestId":"r-1"}',
    });
  });
});

describe('timestamps', () => {
  it("winston's timestamp() gives the entry time; same-ms entries keep their order (+1 ns)", async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, {}, { format: format.combine(format.timestamp(), format.json()) });
    const stamps: string[] = [];
    const capture = new Capture();
    logger.add(capture);
    for (let i = 0; i < 5; i++) logger.info(`n${i}`);
    for (const s of capture.seen) stamps.push((s.info as { timestamp: string }).timestamp);
    await transport.flush();
    const entries = r.entries();
    expect(entries.map((e) => e.line)).toEqual([0, 1, 2, 3, 4].map((i) => `{"message":"n${i}"}`));
    entries.forEach((e, i) => {
      const ms = BigInt(Date.parse(stamps[i]!));
      expect(e.timestampNs / 1_000_000n).toBe(ms);
      if (i > 0) expect(e.timestampNs).toBeGreaterThan(entries[i - 1]!.timestampNs);
    });
  });

  it('a custom timestamp() pattern is read (local time); an unreadable one keeps its text in the line and the entry gets now', async () => {
    const r = await receiver();
    const custom = setup(
      r,
      { labels: { t: 'custom' } },
      { format: format.timestamp({ format: 'YYYY-MM-DD HH:mm:ss.SSS' }) },
    );
    const odd = setup(r, { labels: { t: 'odd' } }, { format: format.timestamp({ format: 'HH:mm' }) });
    // Core's ns clock may stray up to 1 ms from Date.now().
    const before = BigInt(Date.now() - 1) * 1_000_000n;
    custom.logger.info('custom');
    odd.logger.info('odd');
    await Promise.all([custom.transport.flush(), odd.transport.flush()]);
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    const c = r.entries({ t: 'custom' })[0]!;
    expect(c.line).toBe('{"message":"custom"}');
    // The pattern has ms precision: the entry time is the logged ms.
    expect(c.timestampNs).toBeGreaterThanOrEqual(before - 1_000_000n);
    expect(c.timestampNs).toBeLessThanOrEqual(after);
    expect(c.timestampNs % 1_000_000n).toBe(0n);
    const o = r.entries({ t: 'odd' })[0]!;
    expect(o.line).toMatch(/^\{"message":"odd","timestamp":"\d\d:\d\d"\}$/);
    expect(o.timestampNs).toBeGreaterThanOrEqual(before);
    expect(o.timestampNs).toBeLessThanOrEqual(after);
  });

  it('without timestamp(): now, ns precision, strictly increasing in logging order', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r);
    for (let i = 0; i < 200; i++) logger.info(`n${i}`);
    await transport.flush();
    const entries = r.entries();
    expect(entries.map((e) => e.line)).toEqual(Array.from({ length: 200 }, (_, i) => `{"message":"n${i}"}`));
    for (let i = 1; i < entries.length; i++)
      expect(entries[i]!.timestampNs).toBeGreaterThan(entries[i - 1]!.timestampNs);
    expect(entries.some((e) => e.timestampNs % 1_000_000n !== 0n)).toBe(true);
  });

  it('replaceTimestamp: true (winston-loki) stamps now and leaves the text in the line', async () => {
    const r = await receiver();
    const { logger, transport } = setup(
      r,
      { replaceTimestamp: true },
      { format: format.timestamp({ format: () => '2020-01-01T00:00:00.000Z' }) },
    );
    logger.info('m');
    await transport.flush();
    const e = r.entries()[0]!;
    expect(e.line).toBe('{"message":"m","timestamp":"2020-01-01T00:00:00.000Z"}');
    expect(e.timestampNs).toBeGreaterThan(BigInt(Date.now() - 10_000) * 1_000_000n);
  });
});

describe('the line', () => {
  it("a format on our transport: the line is winston's formatted output, label fields lifted out of it", async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, {
      format: format.printf(
        (i) =>
          `${i.level.toUpperCase()} ${String(i.message)} ${JSON.stringify({ ...i, level: undefined, message: undefined })}`,
      ),
    });
    const other = new Capture();
    logger.add(other);
    logger.info('hello', { label_team: 'core', labels: { zone: 'a' }, user: 'ann' });
    await transport.flush();
    expect(r.entries()[0]).toMatchObject({
      labels: { level: 'info', team: 'core', zone: 'a' },
      line: 'INFO hello {"user":"ann"}',
    });
    // The other transport still got the fields.
    expect(other.seen[0]!.info).toMatchObject({ label_team: 'core', labels: { zone: 'a' }, user: 'ann' });
  });

  it('a json() format on our transport gives a JSON line with the level inside', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { format: format.json() });
    logger.info('hello', { user: 'ann', label_team: 'core' });
    await transport.flush();
    expect(r.entries()[0]).toMatchObject({
      labels: { level: 'info', team: 'core' },
      line: '{"level":"info","message":"hello","user":"ann"}',
    });
  });

  it("lineFormat 'text': message, space, meta as JSON (winston-loki's shape); the bare message without meta", async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { lineFormat: 'text' });
    logger.info('with', { k: 'v', n: 1 });
    logger.info('bare');
    await transport.flush();
    expect(r.entries().map((e) => e.line)).toEqual(['with {"k":"v","n":1}', 'bare']);
  });

  it.each(['metadata', 'message'] as const)(
    "lineFormat '%s': the message is the line, meta goes to structured metadata",
    async (lineFormat) => {
      const r = await receiver();
      const { logger, transport } = setup(r, { lineFormat });
      logger.info('paid', { orderId: 42, user: { id: 7 }, label_shop: 's1' });
      await transport.flush();
      expect(r.entries()[0]).toMatchObject({
        labels: { level: 'info', shop: 's1' },
        line: 'paid',
        metadata: { orderId: '42', user: '{"id":7}' },
      });
    },
  );

  it('errors keep their stack: logger.error(err), the errors() format, an Error in meta', async () => {
    const r = await receiver();
    const plain = setup(r, { labels: { t: 'plain' } });
    const withErrors = setup(r, { labels: { t: 'errors' } }, { format: format.errors({ stack: true }) });
    const err = new Error('boom');
    plain.logger.error(err);
    withErrors.logger.error(new Error('bang'));
    plain.logger.warn('failed', { err: new Error('inner', { cause: new Error('root') }) });
    await Promise.all([plain.transport.flush(), withErrors.transport.flush()]);
    const [asInfo, inMeta] = r.entries({ t: 'plain' }).map((e) => JSON.parse(e.line));
    expect(asInfo.message).toBe('boom');
    expect(asInfo.stack).toMatch(/^Error: boom\n\s+at /);
    expect(inMeta.err.message).toBe('inner');
    expect(inMeta.err.stack).toMatch(/^Error: inner\n/);
    expect(inMeta.err.cause.message).toBe('root');
    const viaFormat = JSON.parse(r.entries({ t: 'errors' })[0]!.line);
    expect(viaFormat.message).toBe('bang');
    expect(viaFormat.stack).toMatch(/^Error: bang\n/);
  });

  it('awkward meta (circular, BigInt, functions, symbols, undefined, non-string message) is still delivered', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r);
    const circular: Record<string, unknown> = { name: 'c' };
    circular.self = circular;
    logger.info('awkward', { circular, big: 12n, fn: function named() {}, sym: Symbol('s'), gone: undefined });
    logger.log({ level: 'info', message: { nested: true } as unknown as string });
    logger.info(42 as unknown as string);
    await transport.flush();
    expect(r.entries().map((e) => e.line)).toEqual([
      '{"message":"awkward","circular":{"name":"c","self":"[Circular]"},"big":"12","fn":"[Function named]","sym":"Symbol(s)"}',
      '{"message":{"nested":true}}',
      '{"message":42}',
    ]);
  });
});

describe('the info object is never mutated', () => {
  it.each<[string, LokiTransportOptions]>([
    ['json line', {}],
    ['text line', { lineFormat: 'text' }],
    ['metadata', { lineFormat: 'metadata', levelLabel: false }],
    ['own format', { format: format.combine(format.timestamp(), format.json()) }],
    ['meta as labels', { useWinstonMetaAsLabels: true }],
  ])('%s: deep-equal (symbol keys included) before and after our transport', async (_, options) => {
    const r = await receiver();
    const before = new Capture();
    const after = new Capture();
    const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false, ...options }));
    const logger = winston.createLogger({
      format: format.combine(format.timestamp(), format.splat()),
      defaultMeta: { service: 'api' },
      transports: [before, transport, after],
    });
    const meta = {
      label_team: 'core',
      labels: { zone: 'a', nested: { deep: [1, 2] } },
      user: { id: 7, tags: ['x'] },
      err: new Error('e'),
    };
    const metaSnapshot = snapshot(meta);
    logger.info('hello %s', 'world', meta);
    logger.log({ level: 'warn', message: 'own object', label_x: 'y', labels: { a: 'b' }, data: { k: [1, { v: 2 }] } });
    logger.error(new Error('as info'));
    await transport.flush();
    expect(r.entries()).toHaveLength(3);
    expect(after.seen).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(after.seen[i]!.info).toBe(before.seen[i]!.info); // same object handed to every transport
      expect(after.seen[i]!.snapshot).toEqual(before.seen[i]!.snapshot);
      expect(snapshot(after.seen[i]!.info)).toEqual(before.seen[i]!.snapshot); // and still, after delivery
    }
    expect(snapshot(meta)).toEqual(metaSnapshot);
  });
});

describe('winston integration', () => {
  it("emits 'logged' for each info, once per tick", async () => {
    const r = await receiver();
    const { logger, transport } = setup(r);
    const logged: unknown[] = [];
    transport.on('logged', (info) => logged.push(info));
    logger.info('a');
    logger.info('b');
    expect(logged).toHaveLength(0); // asynchronously, as winston transports do
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged.map((i) => (i as { message: string }).message)).toEqual(['a', 'b']);
  });

  it('transport level, silent and the logger level are honoured', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { level: 'warn' }, { level: 'debug' });
    const silent = setup(r, { silent: true, labels: { s: '1' } });
    logger.info('dropped by the transport level');
    logger.warn('kept');
    silent.logger.error('silent');
    await transport.flush();
    expect(r.entries().map((e) => e.line)).toEqual(['{"message":"kept"}']);
  });
});
