import { setImmediate as turn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startDeliveryWorker } from '@loki-sdk/core/adapter';
import { receiver } from './helpers.js';

// The delivery worker from the built package (its worker script imports @loki-sdk/core/adapter).
const file = fileURLToPath(new URL('./fixtures/line-worker.mjs', import.meta.url));

describe("the delivery worker's stats", () => {
  // The worker writes its counters into shared memory while the app's thread reads them. Before the two
  // alternating copies (writeStats in worker-protocol.ts), about 1 read in 10 000 saw a chunk counted as taken in
  // but not yet as buffered: 256 entries in no counter, which made an exit count come out 256 short in CI.
  it('every stats() read adds up (pushed = sent + dropped + buffered), also while the worker writes', async () => {
    const r = await receiver();
    const host = startDeliveryWorker({
      file,
      client: { url: r.url, labels: { app: 'stats' }, exitHook: false },
      mapLine: (line) => ({ line }),
      mapperOptions: null,
    });
    onTestFinished(() => void host.close());
    const torn: string[] = [];
    const rounds = 300;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < 1024; i++) host.pushText(`line ${round} ${i}`, false);
      // Read while the worker takes the chunks in and publishes its counters.
      for (let k = 0; k < 3000; k++) {
        const s = host.stats();
        if (s.entriesPushed !== s.entriesSent + s.entriesDropped + s.bufferedEntries && torn.length < 5)
          torn.push(
            `pushed ${s.entriesPushed}, sent ${s.entriesSent}, dropped ${s.entriesDropped}, buffered ${s.bufferedEntries}`,
          );
      }
      await turn();
    }
    const result = await host.flush();
    expect(torn).toEqual([]);
    expect(result.ok).toBe(true);
    expect(r.entries({ app: 'stats' })).toHaveLength(rounds * 1024);
    const total = rounds * 1024;
    expect(host.stats()).toMatchObject({ entriesPushed: total, entriesSent: total, bufferedEntries: 0 });
  }, 60_000);
});
