/**
 * A 429 is Loki (or a collector) up and throttling, not unreachable: the batch is retried, but a burst keeps the
 * whole buffer (`bufferMaxEntries`), not the outage bound (`offlineBufferMaxEntries`, the SDK's 10 000), and the
 * client does not report itself offline.
 */
import { describe, expect, it } from 'vitest';
import { client, receiver, until } from './helpers.js';

const fast = { retryInitialDelayMillis: 20, retryMaxDelayMillis: 200 };

describe.each(['loki', 'otlp'] as const)('a burst that meets 429 (%s)', (protocol) => {
  it('is not cut to offlineBufferMaxEntries and stores every entry once the 429s end', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, { ...fast, protocol, labels: { app: 'a' }, offlineBufferMaxEntries: 10 });
    r.failNext(429, 429);
    c.push({ message: 'first' });
    await until(() => c.stats().requestsFailed >= 1);
    expect(c.stats().offline).toBe(false);
    for (let i = 0; i < 50; i++) c.push({ message: `line ${i}` });
    const result = await c.flush();
    expect(c.stats().droppedByReason.buffer_full).toBe(0);
    expect(result.ok).toBe(true);
    expect(r.entries()).toHaveLength(51);
    expect(r.requests.map((q) => q.status).slice(0, 3)).toEqual([429, 429, 204]);
    // Still reported once, as before: Loki push failed ... retrying.
    expect(errors.map((e) => e.code)).toEqual(['ERR_LOKI_UNAVAILABLE']);
  });

  it('an unreachable Loki still holds only offlineBufferMaxEntries', async () => {
    const r = await receiver();
    await r.stop();
    const { client: c } = client(r, { ...fast, protocol, labels: { app: 'a' }, offlineBufferMaxEntries: 10 });
    c.push({ message: 'first' });
    await until(() => c.stats().requestsFailed >= 1);
    expect(c.stats().offline).toBe(true);
    for (let i = 0; i < 50; i++) c.push({ message: `line ${i}` });
    expect(c.stats().bufferedEntries).toBe(10);
    expect(c.stats().droppedByReason.buffer_full).toBe(41);
  });
});
