import { describe, expect, it } from 'vitest';
import { getLokiStats } from '../src/index.js';
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
    expect(errors).toEqual([]);
    const stats = await getLokiStats(transport);
    expect(stats).toMatchObject({ entriesPushed: COUNT, entriesSent: COUNT, entriesDropped: 0, bufferedEntries: 0 });
    // Order within the stream survives the burst.
    const entries = r.entries();
    let ordered = true;
    for (let k = 1; k < entries.length; k++) if (entries[k]!.timestampNs <= entries[k - 1]!.timestampNs) ordered = false;
    expect(ordered).toBe(true);
    console.log(`burst: ${COUNT} calls in ${logged - started} ms on the main thread, all acknowledged ${flushed - started} ms after the first; ${stats?.requests} requests, ${stats?.backpressurePauses} backpressure pauses`);
  });
});
