// end/finish, flush, close, and the error path ('warn' events), with real winston loggers.
import type { LokiReceiver } from '@loki-sdk/testing';
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { LokiError, LokiTransport, type LokiTransportOptions } from '../src/index.js';
import { closeAfter, receiver, until } from './helpers.js';

function setup(r: LokiReceiver, options: LokiTransportOptions = {}) {
  const transport = closeAfter(
    new LokiTransport({ host: r.url, exitHook: false, retryInitialDelayMillis: 20, ...options }),
  );
  const logger = winston.createLogger({ transports: [transport] });
  return { logger, transport };
}

describe('end, flush, close', () => {
  it("logger.end(): when 'finish' fires, Loki has already stored every entry", async () => {
    const r = await receiver();
    r.setResponseDelay(100); // an ack that takes a while: 'finish' must wait for it
    const { logger } = setup(r, { batchIntervalMillis: 60_000 });
    for (let i = 0; i < 500; i++) logger.info(`e${i}`);
    const storedAtFinish = await new Promise<number>((resolve) => {
      logger.on('finish', () => resolve(r.entries().length));
      logger.end();
    });
    expect(storedAtFinish).toBe(500);
  });

  it('flush() resolves once Loki acknowledged everything logged before it, with counts', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { batchIntervalMillis: 60_000 });
    for (let i = 0; i < 10; i++) logger.info(`e${i}`);
    const result = await transport.flush();
    expect(result).toEqual({
      ok: true,
      acknowledged: 10,
      dropped: 0,
      droppedByReason: transport.stats().droppedByReason,
      partiallyRejected: 0,
      pending: 0,
      timedOut: false,
    });
    expect(r.entries()).toHaveLength(10);
    expect(transport.stats()).toMatchObject({
      entriesPushed: 10,
      entriesSent: 10,
      entriesDropped: 0,
      bufferedEntries: 0,
    });
  });

  it.each([true, false])(
    'flush() answers for every entry logged before it, also those rejected before the call (worker: %s)',
    async (worker) => {
      const r = await receiver({ authEnabled: true });
      const { logger, transport } = setup(r, { worker, batchIntervalMillis: 10 });
      transport.on('warn', () => {});
      for (let i = 0; i < 5; i++) logger.info(`no tenant ${i}`);
      await until(() => transport.stats().droppedByReason.rejected === 5);
      const result = await transport.flush();
      expect(r.stats().entriesStored).toBe(0);
      expect(result).toMatchObject({ ok: false, acknowledged: 0, dropped: 5, pending: 0, timedOut: false });
      expect(result.droppedByReason).toEqual(transport.stats().droppedByReason);
    },
  );

  it.each([true, false])(
    'ok tells of a loss once: the next flush with nothing lost since is ok, its counts still those of stats() (worker: %s)',
    async (worker) => {
      const r = await receiver();
      // A byte bound far below the burst: entries are dropped (in this thread's backlog or in core's buffer).
      const { logger, transport } = setup(r, { worker, bufferMaxBytes: 20_000, batchIntervalMillis: 10_000 });
      transport.on('warn', () => {});
      for (let i = 0; i < 3000; i++) logger.info(`burst ${i} ${'x'.repeat(40)}`);
      const first = await transport.flush();
      expect(first.ok).toBe(false);
      expect(first.dropped).toBeGreaterThan(0);
      logger.info('after');
      const second = await transport.flush();
      const stats = transport.stats();
      expect(second).toMatchObject({
        ok: true,
        dropped: stats.entriesDropped,
        acknowledged: stats.entriesSent,
        pending: 0,
      });
      expect(second.droppedByReason).toEqual(stats.droppedByReason);
      expect(second.acknowledged + second.dropped).toBe(3001);
      expect(r.entries().at(-1)!.line).toContain('after');
    },
  );

  it('flush() after close() answers what close() came to, not ok', async () => {
    const r = await receiver({ authEnabled: true });
    const { logger, transport } = setup(r);
    transport.on('warn', () => {});
    logger.info('no tenant');
    const closed = await transport.close();
    expect(closed).toMatchObject({ ok: false, dropped: 1 });
    expect(await transport.flush()).toMatchObject({ ok: false, dropped: 1, acknowledged: 0 });
  });

  it('logger.close() / logger.remove() close the transport, delivering what is pending', async () => {
    const r = await receiver();
    const a = setup(r, { batchIntervalMillis: 60_000, labels: { t: 'close' } });
    const b = setup(r, { batchIntervalMillis: 60_000, labels: { t: 'remove' } });
    a.logger.info('before close');
    b.logger.info('before remove');
    a.logger.close();
    b.logger.remove(b.transport);
    await r.waitForEntries(2);
    expect(
      r
        .entries()
        .map((e) => e.line)
        .sort(),
    ).toEqual(['{"message":"before close"}', '{"message":"before remove"}']);
    expect(await a.transport.close()).toMatchObject({ ok: true }); // idempotent, same result
  });

  it("after close, a log is dropped with a 'warn' (ERR_LOKI_CLOSED), never thrown", async () => {
    const r = await receiver();
    const { transport } = setup(r);
    const warnings: LokiError[] = [];
    transport.on('warn', (e: LokiError) => warnings.push(e));
    await transport.close();
    transport.log({ level: 'info', message: 'late', [Symbol.for('level')]: 'info' }, () => {});
    await until(() => warnings.length > 0);
    expect(warnings[0]!.code).toBe('ERR_LOKI_CLOSED');
  });
});

describe('the delivery worker', () => {
  it('if it dies, logging goes on in this thread: a warn says so, later entries are stored, counters add up', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r);
    const warnings: LokiError[] = [];
    transport.on('warn', (e: LokiError) => warnings.push(e));
    for (let i = 0; i < 10; i++) logger.info('before', { i });
    expect((await transport.flush()).ok).toBe(true);
    // White-box on purpose: nothing public can kill the worker, and its death must not cost the app.
    const { sink } = transport as unknown as { sink: { host: { worker: { terminate(): Promise<number> } } } };
    const worker = sink.host.worker;
    await worker.terminate();
    await until(() => warnings.some((w) => w.code === 'ERR_LOKI_UNAVAILABLE'));
    expect(warnings.find((w) => w.code === 'ERR_LOKI_UNAVAILABLE')!.message).toMatch(
      /delivery worker stopped .*0 entries lost, logging goes on in this thread/,
    );
    for (let i = 0; i < 10; i++) logger.info('after', { i });
    expect((await transport.flush()).ok).toBe(true);
    expect(r.entries().map((e) => JSON.parse(e.line).message)).toEqual([
      ...Array(10).fill('before'),
      ...Array(10).fill('after'),
    ]);
    expect(transport.stats()).toMatchObject({
      entriesPushed: 20,
      entriesSent: 20,
      entriesDropped: 0,
      bufferedEntries: 0,
    });
  });

  it('if it dies with entries logged but not yet posted to it, this thread delivers them: none lost, counted once', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r);
    const warnings: LokiError[] = [];
    transport.on('warn', (e: LokiError) => warnings.push(e));
    for (let i = 0; i < 10; i++) logger.info('before', { i });
    expect((await transport.flush()).ok).toBe(true);
    const { sink } = transport as unknown as { sink: { host: { worker: import('node:worker_threads').Worker } } };
    const worker = sink.host.worker;
    // Runs before the host hears of the death: these entries wait in this thread's chunk, never posted.
    worker.prependListener('exit', () => {
      for (let i = 0; i < 10; i++) logger.info('during', { i });
    });
    await worker.terminate();
    await until(() => warnings.some((w) => w.code === 'ERR_LOKI_UNAVAILABLE'));
    // Before: the unposted entries were dropped and counted twice ("20 entries lost").
    expect(warnings.find((w) => w.code === 'ERR_LOKI_UNAVAILABLE')!.message).toMatch(/ 0 entries lost/);
    for (let i = 0; i < 10; i++) logger.info('after', { i });
    expect((await transport.flush()).ok).toBe(true);
    expect(r.entries().map((e) => JSON.parse(e.line).message)).toEqual([
      ...Array(10).fill('before'),
      ...Array(10).fill('during'),
      ...Array(10).fill('after'),
    ]);
    expect(transport.stats()).toMatchObject({
      entriesPushed: 30,
      entriesSent: 30,
      entriesDropped: 0,
      bufferedEntries: 0,
    });
  });

  it('if it dies while close() waits for it, close() still answers: not ok, what it held counted and reported', async () => {
    const r = await receiver();
    r.setResponseDelay(60_000); // the worker's requests stay on the wire: its close() cannot answer
    const { logger, transport } = setup(r);
    const warnings: LokiError[] = [];
    transport.on('warn', (e: LokiError) => warnings.push(e));
    for (let i = 0; i < 10; i++) logger.info('held', { i });
    const closing = transport.close();
    const { sink } = transport as unknown as { sink: { host: { worker: import('node:worker_threads').Worker } } };
    await until(() => r.requests.length > 0 || transport.stats().requests > 0);
    await sink.host.worker.terminate();
    // Before: close() never settled.
    const result = await closing;
    expect(result).toMatchObject({ ok: false, acknowledged: 0, dropped: 10, pending: 0 });
    expect(result.droppedByReason.shutdown_timeout).toBe(10);
    expect(transport.stats()).toMatchObject({
      entriesPushed: 10,
      entriesSent: 0,
      entriesDropped: 10,
      bufferedEntries: 0,
    });
    expect(warnings.find((w) => w.code === 'ERR_LOKI_UNAVAILABLE')!.message).toMatch(
      /delivery worker stopped during close\(\).*10 entries not delivered/,
    );
  });

  it('worker: false does the same work in this thread (no worker started)', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { worker: false });
    expect((transport as unknown as { sink: { host?: unknown } }).sink.host).toBeUndefined();
    logger.info('here', { k: 1 });
    expect((await transport.flush()).ok).toBe(true);
    expect(r.entries()[0]!.line).toBe('{"message":"here","k":1}');
  });
});

describe("delivery failures are 'warn' events, never 'error', never thrown", () => {
  it("a 401 reaches the transport and the logger as a warn with code, status and Loki's message", async () => {
    const r = await receiver();
    r.failNext({ status: 401, body: 'invalid credentials for tenant\n' });
    const { logger, transport } = setup(r);
    const onTransport: LokiError[] = [];
    const onLogger: Array<[LokiError, unknown]> = [];
    transport.on('warn', (e: LokiError) => onTransport.push(e));
    logger.on('warn', (e: LokiError, t: unknown) => onLogger.push([e, t]));
    logger.on('error', () => expect.fail("no 'error' event"));
    logger.info('denied');
    const result = await transport.flush();
    expect(result).toMatchObject({ ok: false, dropped: 1 });
    expect(onTransport).toHaveLength(1);
    const [err] = onTransport;
    expect(err).toBeInstanceOf(LokiError);
    expect(err).toMatchObject({
      code: 'ERR_LOKI_REJECTED',
      status: 401,
      responseBody: 'invalid credentials for tenant',
      entries: 1,
    });
    expect(err!.message).toContain('invalid credentials for tenant');
    expect(onLogger).toEqual([[err, transport]]);
  });

  it("an auth-enabled Loki: no tenant -> 401 'no org id' as a warn; tenantId -> stored under the tenant", async () => {
    const r = await receiver({ authEnabled: true });
    const anonymous = setup(r, { labels: { who: 'anon' } });
    const tenant = setup(r, { tenantId: 'acme', labels: { who: 'acme' } });
    const warnings: LokiError[] = [];
    anonymous.logger.on('warn', (e: LokiError) => warnings.push(e));
    anonymous.logger.info('x');
    tenant.logger.info('y');
    await Promise.all([anonymous.transport.flush(), tenant.transport.flush()]);
    expect(warnings.map((w) => [w.code, w.status, w.responseBody])).toEqual([['ERR_LOKI_REJECTED', 401, 'no org id']]);
    expect(r.entries(undefined, { tenant: 'acme' }).map((e) => e.line)).toEqual(['{"message":"y"}']);
  });

  it('an outage is one ERR_LOKI_UNAVAILABLE warn; entries are retried and delivered when Loki is back', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r);
    const warnings: LokiError[] = [];
    transport.on('warn', (e: LokiError) => warnings.push(e));
    r.failNext(503, 'reset', 503);
    for (let i = 0; i < 3; i++) logger.info(`e${i}`);
    expect(await transport.flush()).toMatchObject({ ok: true, acknowledged: 3 });
    expect(warnings.map((w) => w.code)).toEqual(['ERR_LOKI_UNAVAILABLE']);
    expect(r.entries().map((e) => e.line)).toEqual(['{"message":"e0"}', '{"message":"e1"}', '{"message":"e2"}']);
  });

  it('nobody listening: no crash, one process warning per code (stderr, never stdout)', async () => {
    const r = await receiver();
    r.failNext(403, 403);
    const { logger, transport } = setup(r);
    const processWarnings: Error[] = [];
    const onWarning = (w: Error) => processWarnings.push(w);
    process.on('warning', onWarning);
    try {
      logger.info('a');
      await transport.flush();
      logger.info('b');
      await transport.flush();
      await until(() => processWarnings.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(processWarnings.map((w) => [w.name, (w as Error & { code?: string }).code])).toEqual([
        ['LokiWarning', 'ERR_LOKI_REJECTED'],
      ]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('onError / onConnectionError (winston-loki) are called too', async () => {
    const r = await receiver();
    r.failNext(400);
    const seen: string[] = [];
    const { logger, transport } = setup(r, {
      onError: (e) => seen.push(`onError ${e.code}`),
      onConnectionError: (e) => seen.push(`onConnectionError ${(e as LokiError).code}`),
    });
    logger.info('x');
    await transport.flush();
    expect(seen).toEqual(['onError ERR_LOKI_PARTIAL_REJECT', 'onConnectionError ERR_LOKI_PARTIAL_REJECT']);
  });

  it("a 'warn' handler that logs again does not re-enter or loop", async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { maxLineBytes: 10, oversizedLine: 'drop' });
    const warnings: string[] = [];
    logger.on('warn', (e: LokiError) => {
      warnings.push(e.code);
      logger.info('ok'); // short enough to pass
    });
    logger.info('this line is far too long');
    await until(() => warnings.length > 0);
    await transport.flush();
    expect(warnings).toEqual(['ERR_LOKI_LINE_TOO_LONG']);
    // '{"message":"ok"}' is 16 bytes: dropped too, but reported once per 5 s
    expect(r.entries().map((e) => e.line)).toEqual([]);
    expect(transport.stats().droppedByReason.line_too_long).toBe(2);
  });

  it('unusable options throw at construction (the only throw), with a clear message', () => {
    expect(() => new LokiTransport({ host: 'ftp://x', exitHook: false })).toThrow(/http: or https:/);
    expect(() => new LokiTransport({ lineFormat: 'yaml' as never, exitHook: false })).toThrow(/lineFormat/);
  });
});

describe('winston-loki option names', () => {
  it("basicAuth 'user:pass' string, json: true, interval (seconds), headers", async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, {
      basicAuth: 'user:pa:ss',
      json: true,
      interval: 0.05,
      headers: { 'x-team': 'core' },
    });
    logger.info('x');
    await r.waitForEntries(1, { timeoutMillis: 2000 }); // delivered by the 50 ms interval, no flush
    const [request] = r.requests;
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
    expect(request!.headers['x-team']).toBe('core');
    expect(request!.contentType).toBe('application/json');
    await transport.flush();
  });
});
