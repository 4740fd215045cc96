import { describe, expect, it } from 'vitest';
import { getLokiStats, type LokiStatsEvent } from '../src/index.js';
import { flushLogger, lokiLogger, receiver } from './helpers.js';

const COUNT = 200_000;

describe('burst', () => {
  it(`${COUNT} logger.info calls in one go: every entry is stored`, { timeout: 180_000 }, async () => {
    const r = await receiver();
    const { logger, transport, errors } = lokiLogger(r, { batchIntervalMillis: 1000 });
    const started = Date.now();
    for (let i = 0; i < COUNT; i++) logger.info({ i }, 'burst');
    const logged = Date.now();
    await flushLogger(logger);
    const flushed = Date.now();
    await r.waitForEntries(COUNT, { timeoutMillis: 60_000 });
    expect(r.stats().entriesStored).toBe(COUNT);
    // 200 000 lines are ~17 MB in one stream: past Loki's per-stream burst (15 MB at 3 MB/s), Loki answers 429
    // when they arrive fast enough (they do since the worker maps off its read path). Retried, never lost;
    // anything else is an error.
    expect(errors.filter((e) => !(e.code === 'ERR_LOKI_UNAVAILABLE' && e.status === 429 && e.retryable))).toEqual([]);
    const stats = await getLokiStats(transport);
    expect(stats).toMatchObject({ entriesPushed: COUNT, entriesSent: COUNT, entriesDropped: 0, bufferedEntries: 0 });
    // Order within the stream survives the burst.
    const entries = r.entries();
    let ordered = true;
    for (let k = 1; k < entries.length; k++)
      if (entries[k]!.timestampNs <= entries[k - 1]!.timestampNs) ordered = false;
    expect(ordered).toBe(true);
    console.log(
      `burst: ${COUNT} calls in ${logged - started} ms on the main thread, all acknowledged ${flushed - started} ms after the first; ${stats?.requests} requests, ${stats?.backpressurePauses} backpressure pauses`,
    );
  });

  it(
    'a large chunk from thread-stream does not hold back the requests: batches leave while it is mapped',
    { timeout: 60_000 },
    async () => {
      const r = await receiver();
      // No backpressure pause inside the chunk: only the transport's own turns of the event loop let
      // core send (and the stats timer fire) before the whole chunk is mapped.
      const { logger, transport } = lokiLogger(r, {
        batchIntervalMillis: 1000,
        statsIntervalMillis: 1,
        highWaterMarkEntries: 200_000,
      });
      const seen: LokiStatsEvent[] = [];
      transport.on('lokiStats', (s: LokiStatsEvent) => seen.push(s));
      const n = 30_000; // ~2 MB: one chunk of thread-stream's 4 MiB buffer
      for (let i = 0; i < n; i++) logger.info({ i }, 'chunk');
      await flushLogger(logger);
      await r.waitForEntries(n, { timeoutMillis: 30_000 });
      expect(r.entries().map((e) => (JSON.parse(e.line) as { i: number }).i)).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
      const sentWhileMapping = seen.filter((s) => s.requests > 0 && s.entriesPushed < n);
      expect(sentWhileMapping.length).toBeGreaterThan(0);
    },
  );
});
