import { context, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, receiver, until } from './helpers.js';

// OTLP out, end to end: what the receiver's POST /otlp/v1/logs (Loki 3.4.6's OTLP ingestion) stores from our
// OTLP pushes. Loki indexes `service.name` (as `service_name`) and keeps other resource attributes, record
// attributes and the record's own fields (severity, trace_id, span_id, flags) as structured metadata.

const SPAN: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
};

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  context.disable();
});

describe('OTLP out: stored by the OTLP endpoint', () => {
  for (const encoding of ['protobuf', 'json', 'json-gzip'] as const) {
    it(`${encoding}: app -> service_name label, labels and metadata -> metadata, level -> severity, span -> ids`, async () => {
      const r = await receiver();
      const { client: c, errors } = client(r, { protocol: 'otlp', encoding, labels: { app: 'checkout', env: 'prod' } });
      const ms = Date.now() - 1000;
      context.with(trace.setSpan(context.active(), trace.wrapSpanContext(SPAN)), () =>
        c.push({ message: 'paid', level: 'info', label_region: 'eu', user: 'ann', timestamp: ms }),
      );
      c.push({ message: 'failed ✗', level: 'error', timestamp: ms + 1 });
      const flushed = await c.flush();
      expect(errors).toEqual([]);
      expect(flushed.ok).toBe(true);
      expect(r.stats().statusCounts).toEqual({ 204: 1 });
      const byLine = Object.fromEntries(r.entries().map((e) => [e.line, e]));
      expect(byLine.paid!.labels).toEqual({ service_name: 'checkout' });
      expect(byLine.paid!.timestampNs).toBe(BigInt(ms) * 1_000_000n);
      expect(byLine.paid!.metadata).toEqual({
        env: 'prod',
        region: 'eu',
        user: 'ann',
        severity_number: '9',
        severity_text: 'info',
        flags: '1',
        trace_id: SPAN.traceId,
        span_id: SPAN.spanId,
      });
      expect(byLine['failed ✗']!.labels).toEqual({ service_name: 'checkout' });
      expect(byLine['failed ✗']!.metadata).toEqual({
        env: 'prod',
        severity_number: '17',
        severity_text: 'error',
      });
      const stats = c.stats();
      expect(stats.entriesSent).toBe(2);
      expect(stats.compression).toBe(encoding === 'json' ? 'none' : 'gzip');
    });
  }

  it("an entry sink with captureTrace: false reads no span, but lifts the traceContext names into the record's ids", async () => {
    const { createEntrySink } = await import('../src/adapter-entry.js');
    const r = await receiver();
    const names = { traceId: 'traceID', spanId: 'spanID', traceFlags: 'traceFlags' };
    const sink = createEntrySink(
      { host: r.url, exitHook: false, protocol: 'otlp', labels: { app: 'a' }, traceContext: names },
      { captureTrace: false },
    );
    const other = { ...SPAN, spanId: '1111111111111111' };
    // The active span is not the sink's to read (its transport read the app thread's and put it on the entry).
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(other)), () => {
      sink.pushEntry({ line: 'lifted', metadata: { traceID: SPAN.traceId, spanID: SPAN.spanId, traceFlags: '01' } });
      sink.pushEntry({ line: 'none' });
    });
    expect((await sink.close()).ok).toBe(true);
    const byLine = Object.fromEntries(r.entries().map((e) => [e.line, e.metadata]));
    expect(byLine.lifted).toEqual({ flags: '1', trace_id: SPAN.traceId, span_id: SPAN.spanId });
    expect(byLine.none).toEqual({});
  });

  it('a collector url is used as given', async () => {
    const r = await receiver();
    const { client: c } = client(r, { protocol: 'otlp', url: r.otlpLogsUrl, labels: { service_name: 'api' } });
    c.push({ message: 'via url' });
    expect((await c.flush()).ok).toBe(true);
    expect(r.entries().map((e) => [e.line, e.labels])).toEqual([['via url', { service_name: 'api' }]]);
  });
});

describe('OTLP out: retry and partial success', () => {
  it('an endpoint that answers 503 then 200 gets everything once', async () => {
    const r = await receiver();
    r.failNext(503);
    const { client: c } = client(r, { protocol: 'otlp', retryInitialDelayMillis: 10, labels: { app: 'a' } });
    for (let i = 0; i < 50; i++) c.push({ message: `line ${i}` });
    expect((await c.flush()).ok).toBe(true);
    const lines = r.entries().map((e) => e.line);
    expect(lines).toHaveLength(50);
    expect(new Set(lines).size).toBe(50);
    expect(r.stats().statusCounts).toEqual({ 503: 1, 204: 1 });
    const stats = c.stats();
    expect(stats.entriesSent).toBe(50);
    expect(stats.retries).toBe(1);
    expect(stats.entriesDropped).toBe(0);
  });

  it('honours Retry-After on 429; 500 is final (OTLP retries only 429, 502, 503, 504)', async () => {
    const r = await receiver();
    r.failNext({ status: 429, retryAfter: '0' }, 500);
    const { client: c, errors } = client(r, { protocol: 'otlp', retryInitialDelayMillis: 60_000 });
    c.push({ message: 'x' });
    // Retry-After 0 beats the minute of backoff: the retry comes at once, and its 500 drops the entry.
    const result = await c.flush({ timeoutMillis: 5_000 });
    expect(result.ok).toBe(false);
    expect(r.stats().statusCounts).toEqual({ 429: 1, 500: 1 });
    expect(c.stats().droppedByReason.rejected).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['ERR_LOKI_UNAVAILABLE', 'ERR_LOKI_REJECTED']);
  });

  it('a partial success counts its rejected records as dropped (rejected)', async () => {
    const r = await receiver();
    const body = JSON.stringify({ partialSuccess: { rejectedLogRecords: '2', errorMessage: 'too old' } });
    r.failNext({ status: 200, body });
    const { client: c, errors } = client(r, { protocol: 'otlp', encoding: 'json' });
    for (let i = 0; i < 5; i++) c.push({ message: `line ${i}` });
    const result = await c.flush();
    expect(result.ok).toBe(false);
    const stats = c.stats();
    expect(stats.entriesSent).toBe(3);
    expect(stats.droppedByReason.rejected).toBe(2);
    expect(stats.requestsPartiallyRejected).toBe(1);
    expect(stats.bufferedEntries).toBe(0);
    expect(
      errors.map((e) => [e.code, e.message.includes('rejected 2 of a 5-entry batch'), e.message.includes('too old')]),
    ).toEqual([['ERR_LOKI_PARTIAL_REJECT', true, true]]);
  });
});

describe('OTLP out: at process.exit()', () => {
  it('the exit drain sends the OTLP bodies, and retries a 503 (an OTLP retryable status)', async () => {
    const r = await receiver();
    r.failNext(503);
    const script = fileURLToPath(new URL('./fixtures/otlp-exit.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, r.url, '20'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(r.stats().statusCounts).toEqual({ 503: 1, 204: 1 });
    expect(r.requests.every((q) => q.path === '/otlp/v1/logs')).toBe(true);
    const entries = r.entries();
    expect(entries).toHaveLength(20);
    expect(entries[0]!.labels).toEqual({ service_name: 'otlp-exit' });
    expect(entries[0]!.metadata).toEqual({ severity_number: '9', severity_text: 'info' });
  });

  it("the exit drain counts a partial success's rejected records as dropped (rejected), not sent", async () => {
    const r = await receiver();
    const body = JSON.stringify({ partialSuccess: { rejectedLogRecords: '3', errorMessage: 'too old' } });
    r.failNext({ status: 200, body });
    const script = fileURLToPath(new URL('./fixtures/otlp-exit.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, r.url, '20', 'stats'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(r.stats().statusCounts).toEqual({ 200: 1 });
    expect(stderr).toContain('ERR_LOKI_PARTIAL_REJECT the OTLP endpoint rejected 3 of a 20-entry batch (HTTP 200');
    expect(stderr).toContain('too old');
    const stats = JSON.parse(stdout) as {
      entriesSent: number;
      entriesDropped: number;
      droppedByReason: Record<string, number>;
      requestsPartiallyRejected: number;
      bufferedEntries: number;
    };
    expect(stats).toMatchObject({
      entriesSent: 17,
      entriesDropped: 3,
      requestsPartiallyRejected: 1,
      bufferedEntries: 0,
    });
    expect(stats.droppedByReason.rejected).toBe(3);
  });
});

describe('OTLP out: offline and disk buffers', () => {
  it('holds entries while the endpoint is down and delivers them, once, when it returns', async () => {
    const r = await receiver();
    await r.stop();
    const { client: c } = client(r, { protocol: 'otlp', retryInitialDelayMillis: 10, retryMaxDelayMillis: 50 });
    for (let i = 0; i < 10; i++) c.push({ message: `down ${i}` });
    await until(() => c.stats().requestsFailed >= 2);
    await r.start();
    expect((await c.flush()).ok).toBe(true);
    expect(
      r
        .entries()
        .map((e) => e.line)
        .sort(),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `down ${i}`).sort());
    expect(c.stats()).toMatchObject({ entriesSent: 10, entriesDropped: 0, offline: false });
  });

  it("replays a dead process's disk segment to the OTLP endpoint, then leaves the folder empty", async () => {
    const r = await receiver();
    const dir = mkdtempSync(join(tmpdir(), 'loki-otlp-disk-'));
    const ts = BigInt(Date.now()) * 1_000_000n;
    const rec = (i: number): string =>
      JSON.stringify({ s: '{app="disk"}', l: [['app', 'disk']], t: (ts + BigInt(i)).toString(), m: `kept ${i}` });
    // An orphan of a process that no longer exists (pid 999999999, no lock).
    writeFileSync(join(dir, 'seg-999999999-1-abc-0.seg'), `${rec(0)}\n${rec(1)}\n`);
    const { client: c } = client(r, { protocol: 'otlp', diskBuffer: { directory: dir, syncIntervalMillis: 1 } });
    expect((await c.flush()).ok).toBe(true);
    expect(r.entries().map((e) => [e.line, e.labels])).toEqual([
      ['kept 0', { service_name: 'disk' }],
      ['kept 1', { service_name: 'disk' }],
    ]);
    expect(r.requests.every((q) => q.path === '/otlp/v1/logs')).toBe(true);
    await c.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('OTLP out from the direct SDK', () => {
  it('initSdk options take protocol: otlp; the OTLP endpoint stores the app as service_name', async () => {
    const { LokiSDK } = await import('../src/sdk-entry.js');
    const r = await receiver();
    const sdk = new LokiSDK().init({
      appName: 'shop',
      environment: 'prod',
      endpoints: { loki: r.otlpLogsUrl },
      protocol: 'otlp',
      printToConsole: false,
      exitHook: false,
    });
    sdk.info('paid', { user: 'ann' });
    expect((await sdk.flush()).ok).toBe(true);
    expect(r.requests.map((q) => q.path)).toEqual(['/otlp/v1/logs']);
    const [entry] = r.entries();
    expect(entry).toMatchObject({ line: 'paid', labels: { service_name: 'shop' } });
    expect(entry!.metadata).toMatchObject({ environment: 'prod', user: 'ann', severity_text: 'info' });
    await sdk.close();
  });
});
