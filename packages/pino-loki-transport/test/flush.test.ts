import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';

import { flushLoki, getLokiStats, type LokiErrorEvent } from '../src/index.js';
import { endTransport, fixture, flushLogger, jsonLines, lokiLogger, receiver, run } from './helpers.js';

async function until(condition: () => Promise<boolean>, timeoutMillis = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMillis) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('logger.flush(cb) resolves after Loki acknowledged', () => {
  it('with a single target (thread-stream calls our stream flush())', async () => {
    const r = await receiver();
    r.setResponseDelay(300);
    // A long batch interval: without the flush nothing would be sent for 10 s.
    const { logger } = lokiLogger(r, { batchIntervalMillis: 10_000 });
    for (let i = 0; i < 100; i++) logger.info({ i }, 'x');
    await flushLogger(logger);
    expect(r.entries()).toHaveLength(100);
    logger.info('after');
    await flushLogger(logger);
    expect(r.entries()).toHaveLength(101);
  });

  it('with several targets in one worker (the flush answer is held until Loki acknowledged)', async () => {
    const r = await receiver();
    r.setResponseDelay(300);
    const file = join(mkdtempSync(join(tmpdir(), 'plt-')), 'out.log');
    const transport = pino.transport({
      targets: [
        { target: 'pino/file', options: { destination: file, mkdir: true } },
        { target: '@loki-sdk/pino-loki-transport', options: { host: r.url, batchIntervalMillis: 10_000 } },
      ],
    });
    const logger = pino(transport);
    try {
      for (let i = 0; i < 50; i++) logger.info({ i }, 'x');
      await flushLogger(logger as unknown as pino.Logger<string>);
      expect(r.entries()).toHaveLength(50);
    } finally {
      await endTransport(transport);
    }
  });

  it('flushLoki() reports the outcome, and is bounded when Loki is down', async () => {
    const r = await receiver();
    const { logger, transport } = lokiLogger(r, { batchIntervalMillis: 10_000 });
    logger.info('one');
    const ok = await flushLoki(transport);
    expect(ok).toMatchObject({
      ok: true,
      acknowledged: 1,
      pending: 0,
      dropped: 0,
      partiallyRejected: 0,
      timedOut: false,
    });
    expect(r.entries()).toHaveLength(1);

    await r.stop();
    logger.info('two');
    const started = Date.now();
    const down = await flushLoki(transport, { timeoutMillis: 800 });
    expect(down.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(3000);

    await r.start();
    const back = await flushLoki(transport, { timeoutMillis: 20_000 });
    expect(back.ok).toBe(true);
    expect(r.entries().map((e) => (JSON.parse(e.line) as { msg: string }).msg)).toEqual(['one', 'two']);
  });

  it(
    "flushLoki() after more than thread-stream's 4 MiB shared buffer: waits for its drain, then all is stored",
    { timeout: 60_000 },
    async () => {
      const r = await receiver();
      const { logger, transport, errors } = lokiLogger(r, { batchIntervalMillis: 200 });
      const pad = 'p'.repeat(1000);
      const count = 8000; // ~8 MB of lines: most wait in the main thread for room in the shared buffer
      for (let i = 0; i < count; i++) logger.info({ i, pad }, 'big');
      expect((transport as unknown as { writableNeedDrain: boolean }).writableNeedDrain).toBe(true);
      const result = await flushLoki(transport);
      expect(result).toMatchObject({
        ok: true,
        acknowledged: count,
        pending: 0,
        dropped: 0,
        partiallyRejected: 0,
        timedOut: false,
      });
      const stored = jsonLines(r).map((l) => l.i);
      expect(stored).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(errors).toEqual([]);
    },
  );

  it('flushLoki() is bounded while the worker holds lines back for a slow Loki', { timeout: 60_000 }, async () => {
    const r = await receiver();
    r.setResponseDelay(4000);
    // A low high-water mark: the worker stops reading, so thread-stream cannot drain until Loki answers.
    const { logger, transport } = lokiLogger(r, { batchIntervalMillis: 50, highWaterMarkEntries: 100 });
    const pad = 'p'.repeat(1000);
    const count = 8000;
    for (let i = 0; i < count; i++) logger.info({ i, pad }, 'big');
    const started = Date.now();
    const late = await flushLoki(transport, { timeoutMillis: 500 });
    expect(late).toMatchObject({ ok: false, timedOut: true });
    expect(Date.now() - started).toBeLessThan(2000);
    r.setResponseDelay(0);
    const back = await flushLoki(transport, { timeoutMillis: 30_000 });
    expect(back.ok).toBe(true);
    expect(new Set(jsonLines(r).map((l) => l.i)).size).toBe(count);
  });

  it('getLokiStats() reads the counters from the main thread; statsIntervalMillis emits them', async () => {
    const r = await receiver();
    const { logger, transport } = lokiLogger(r, { statsIntervalMillis: 50 });
    for (let i = 0; i < 10; i++) logger.info('x');
    await flushLogger(logger);
    const stats = await getLokiStats(transport);
    expect(stats).toMatchObject({
      entriesPushed: 10,
      entriesSent: 10,
      entriesDropped: 0,
      bufferedEntries: 0,
      linesReceived: 10,
    });
    const periodic = await new Promise<{ entriesSent: number; id?: number }>((resolve) =>
      transport.once('lokiStats', resolve),
    );
    expect(periodic.entriesSent).toBe(10);
    expect(periodic.id).toBeUndefined();
  });

  it('getLokiStats() resolves undefined when no transport of ours answers', async () => {
    const transport = pino.transport({ target: 'pino/file', options: { destination: '/dev/null' } });
    try {
      expect(await getLokiStats(transport, { timeoutMillis: 300 })).toBeUndefined();
    } finally {
      await endTransport(transport);
    }
  });
});

describe('flush answers are true and come by their deadline (issue 13)', () => {
  it('flushLoki() after every entry was rejected (401) answers what stats() shows', async () => {
    const r = await receiver({ authEnabled: true });
    const { logger, transport } = lokiLogger(r, { retryInitialDelayMillis: 20 });
    for (let i = 0; i < 5; i++) logger.info({ i }, 'no tenant');
    // Rejected before the flush is asked: the flush still answers for them.
    await until(async () => (await getLokiStats(transport))?.droppedByReason.rejected === 5);
    const result = await flushLoki(transport, { timeoutMillis: 5000 });
    const stats = await getLokiStats(transport);
    expect(result).toMatchObject({ ok: false, acknowledged: 0, dropped: 5, pending: 0, timedOut: false });
    expect(result.droppedByReason).toEqual(stats!.droppedByReason);
    expect(r.stats().entriesStored).toBe(0);
  });

  it('flushLoki() tells of a loss once, also after a logger.flush(cb) in between; the counts stay those of stats()', async () => {
    const r = await receiver();
    const { logger, transport } = lokiLogger(r, { maxLineBytes: 100, oversizedLine: 'drop' });
    logger.info({ pad: 'y'.repeat(200) }, 'too long');
    logger.info('fits');
    await flushLogger(logger); // its answer reaches nobody: the loss is still to be told
    expect(await flushLoki(transport)).toMatchObject({ ok: false, acknowledged: 1, dropped: 1, pending: 0 });
    logger.info('later');
    const later = await flushLoki(transport);
    expect(later).toMatchObject({ ok: true, acknowledged: 2, dropped: 1, pending: 0 });
    expect(later.droppedByReason).toEqual((await getLokiStats(transport))!.droppedByReason);
  });

  it('flushLoki() that times out with one entry undelivered answers pending: 1', async () => {
    const r = await receiver();
    const { logger, transport } = lokiLogger(r, { retryInitialDelayMillis: 20 });
    logger.info('one');
    expect(await flushLoki(transport)).toMatchObject({ ok: true, acknowledged: 1 });
    await r.stop();
    logger.info('two');
    const started = Date.now();
    const result = await flushLoki(transport, { timeoutMillis: 800 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result).toMatchObject({ ok: false, timedOut: true, acknowledged: 1, dropped: 0, pending: 1 });
  });

  it.each(['single', 'multi'])(
    "the README's SIGTERM recipe with Loki down (%s target): logger.flush(cb) answers by its deadline",
    { timeout: 30_000 },
    async (targets) => {
      const result = await run(fixture('flush-then-exit.mjs'), {
        env: { FLUSH_TIMEOUT_MILLIS: '4000', CLOSE_TIMEOUT_MILLIS: '1000', TARGETS: targets },
        timeoutMillis: 20_000,
      });
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      const took = [...result.stderr.matchAll(/flushed (\d+)/g)].map((m) => Number(m[1]));
      expect(took).toHaveLength(1);
      expect(took[0]).toBeLessThan(4000 + 500);
      // Flush deadline + the exit's closeTimeoutMillis + 2 s, from the spawn (worker start-up included).
      expect(result.elapsedMillis).toBeLessThan(4000 + 1000 + 2000);
    },
  );

  it('a second logger.flush(cb) with Loki down answers by its deadline too', { timeout: 30_000 }, async () => {
    const result = await run(fixture('flush-then-exit.mjs'), {
      env: { FLUSH_TIMEOUT_MILLIS: '2000', FLUSHES: '2' },
      timeoutMillis: 20_000,
    });
    expect(result.code).toBe(0);
    const took = [...result.stderr.matchAll(/flushed (\d+)/g)].map((m) => Number(m[1]));
    expect(took).toHaveLength(2);
    for (const millis of took) expect(millis).toBeLessThan(2000 + 500);
  });
});

describe('errors reach the main thread as events and never crash anything', () => {
  it("a 401 from Loki: lokiError with code, status and Loki's message; the app goes on", async () => {
    const r = await receiver({ authEnabled: true });
    const { logger, transport, errors } = lokiLogger(r);
    logger.info('rejected');
    await flushLogger(logger);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_LOKI_REJECTED', status: 401, entries: 1, retryable: false });
    expect(errors[0]!.responseBody).toContain('no org id');
    expect(errors[0]!.message).toContain('no org id');
    const stats = await getLokiStats(transport);
    expect(stats?.droppedByReason.rejected).toBe(1);
    logger.info('still logging');
    await flushLogger(logger);
    expect((transport as unknown as { destroyed: boolean }).destroyed).toBe(false);
  });

  it('tenantId and basic auth are sent', async () => {
    const r = await receiver({ authEnabled: true });
    const { logger, errors } = lokiLogger(r, { tenantId: 'acme', basicAuth: { username: 'u', password: 'p' } });
    logger.info('hello');
    await flushLogger(logger);
    expect(errors).toEqual([]);
    expect(r.entries(undefined, { tenant: 'acme' })).toHaveLength(1);
    expect(r.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('a transient outage: ERR_LOKI_UNAVAILABLE, then everything delivered after retries', async () => {
    const r = await receiver();
    r.failNext(503, 'reset');
    const { logger, transport, errors } = lokiLogger(r, { retryInitialDelayMillis: 20 });
    for (let i = 0; i < 5; i++) logger.info({ i }, 'x');
    await flushLogger(logger);
    expect(r.entries()).toHaveLength(5);
    expect(errors.map((e) => e.code)).toEqual(['ERR_LOKI_UNAVAILABLE']);
    expect(errors[0]!.status).toBe(503);
    const stats = await getLokiStats(transport);
    expect(stats?.retries).toBe(2);
  });

  it('unusable options are reported, the worker keeps running and other targets keep logging', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'plt-')), 'out.log');
    const transport = pino.transport({
      targets: [
        { target: 'pino/file', options: { destination: file } },
        {
          target: '@loki-sdk/pino-loki-transport',
          options: { host: 'ftp://nowhere', convertArray: true, printErrors: false },
        },
      ],
    });
    const errors: LokiErrorEvent[] = [];
    transport.on('lokiError', (e: LokiErrorEvent) => errors.push(e));
    let streamError: unknown;
    transport.on('error', (e: unknown) => (streamError = e));
    const logger = pino(transport);
    logger.info('kept');
    await flushLogger(logger as unknown as pino.Logger<string>);
    // Ending the worker closes every target, so pino/file has written its file by then.
    await endTransport(transport);
    expect(readFileSync(file, 'utf8')).toContain('"msg":"kept"');
    // One report for everything found at start-up: the unusable value and the unknown name.
    expect(errors.map((e) => e.code)).toEqual(['ERR_LOKI_INVALID_OPTIONS']);
    expect(errors[0]!.message).toContain(
      'options unusable, nothing is sent to Loki: host: Loki URL must be http: or https:, got ftp:',
    );
    expect(errors[0]!.message).toContain('convertArray (did you mean convertArrays?)');
    expect(streamError).toBeUndefined();
  });
});
