import { describe, expect, it } from 'vitest';
import { createEntrySink } from '../src/entry-sink.js';
import type { LokiError } from '../src/errors.js';
import type { LokiClientOptions } from '../src/options.js';
import type { LokiReceiver } from '@loki-sdk/testing';
import { client, receiver } from './helpers.js';

/** close() options are the entry sink's (the adapter seam), not the public client's. */
function sink(r: LokiReceiver, options: LokiClientOptions) {
  const errors: LokiError[] = [];
  const s = createEntrySink({ host: r.url, exitHook: false, onError: (e) => errors.push(e), ...options });
  return { sink: s, errors };
}

const fast = { retryInitialDelayMillis: 20, retryMaxDelayMillis: 200 };

// close() options are for adapters that hold entries of their own (pino's worker reads lines ahead of
// mapping them): the process's deadline, and what they could not push by it.
describe('close() with an adapter deadline and entries it never pushed', () => {
  it('ends by the given deadline, shorter than closeTimeoutMillis, against a Loki that never answers', async () => {
    const r = await receiver();
    r.failNext({ hangMillis: 60_000 });
    const { sink: c } = sink(r, { ...fast, closeTimeoutMillis: 10_000 });
    c.pushEntry({ line: 'held by a hung Loki' });
    const started = Date.now();
    const result = await c.close({ timeoutMillis: 200 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ ok: false, timedOut: true });
    expect(c.stats().droppedByReason.shutdown_timeout).toBe(1);
  });

  it('counts the entries never pushed under shutdown_timeout, in stats and in the one report', async () => {
    const r = await receiver();
    const { sink: c, errors } = sink(r, { ...fast, closeTimeoutMillis: 300 });
    await r.stop();
    c.pushEntry({ line: 'stranded' });
    const result = await c.close({ notPushed: 41 });
    expect(result).toMatchObject({ ok: false, pending: 42 });
    expect(c.stats().droppedByReason.shutdown_timeout).toBe(42);
    expect(c.stats().entriesDropped).toBe(42);
    const shutdown = errors.filter((e) => e.code === 'ERR_LOKI_SHUTDOWN_TIMEOUT');
    expect(shutdown).toHaveLength(1);
    expect(shutdown[0]!.entries).toBe(42);
    expect(shutdown[0]!.message).toMatch(/: 42 entries not delivered$/);
  });

  // The buffer_full warning is told once, at the first drop ("1 so far"): the close report gives the
  // totals so far, so its figures add up to stats().entriesDropped.
  it('the close report adds up to stats: the drops before it, per reason, and what it gives up', async () => {
    const r = await receiver();
    await r.stop();
    const { client: c, errors } = client(r, {
      ...fast,
      closeTimeoutMillis: 300,
      offlineBufferMaxEntries: 10,
      bufferMaxEntries: 10,
    });
    for (let i = 0; i < 30; i++) c.push({ message: `line ${i}` });
    await c.close();
    const stats = c.stats();
    const report = errors.find((e) => e.code === 'ERR_LOKI_SHUTDOWN_TIMEOUT');
    expect(report, JSON.stringify(errors.map((e) => e.message))).toBeDefined();
    const figures = [...report!.message.matchAll(/(\d+)(?= entr|,|\))/g)].map((m) => Number(m[1]));
    expect(stats.droppedByReason.buffer_full).toBeGreaterThan(0);
    expect(report!.message).toContain(`(dropped before: buffer_full ${stats.droppedByReason.buffer_full})`);
    expect(figures.reduce((a, b) => a + b, 0)).toBe(stats.entriesDropped);
    expect(stats.entriesDropped).toBe(30);
  });
});
