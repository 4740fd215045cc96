import { describe, expect, it } from 'vitest';
import { createEntrySink, type LokiEntrySink } from '../src/entry-sink.js';
import { receiver, until } from './helpers.js';

/** bufferState() is stats()'s buffer fields, read without building stats() (pino's backpressure, per batch). */
function expectSameAsStats(s: LokiEntrySink): void {
  const stats = s.stats();
  expect(s.bufferState()).toEqual({
    bufferedEntries: stats.bufferedEntries,
    bufferedBytes: stats.bufferedBytes,
    settled: stats.entriesSent + stats.entriesDropped,
    offline: stats.offline,
  });
}

describe('entry sink bufferState()', () => {
  it('says what stats() says: held, acknowledged, dropped (buffer full), offline, and after Loki is back', async () => {
    const r = await receiver();
    const s = createEntrySink({
      host: r.url,
      exitHook: false,
      onError: () => {},
      bufferMaxEntries: 5,
      batchIntervalMillis: 10,
      retryInitialDelayMillis: 20,
      retryMaxDelayMillis: 50,
    });
    expectSameAsStats(s);
    s.pushEntry({ line: 'first', labels: { app: 'a' } });
    await until(() => s.stats().entriesSent === 1);
    expectSameAsStats(s);
    expect(s.bufferState().settled).toBe(1);

    await r.stop();
    for (let i = 0; i < 8; i++) s.pushEntry({ line: `held ${i}`, labels: { app: 'a' } });
    await until(() => s.stats().offline);
    expectSameAsStats(s);
    expect(s.bufferState()).toMatchObject({ bufferedEntries: 5, settled: 4, offline: true }); // 3 oldest dropped

    await r.start();
    await until(() => s.stats().bufferedEntries === 0);
    expectSameAsStats(s);
    expect(s.bufferState()).toMatchObject({ bufferedEntries: 0, bufferedBytes: 0, settled: 9, offline: false });
    await s.close();
    expectSameAsStats(s);
  });
});
