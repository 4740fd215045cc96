// The usage example of README.md, kept here so it stays correct.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createLokiReceiver, type LokiReceiver } from '../src/index.js';

let loki: LokiReceiver;

beforeAll(async () => {
  loki = await createLokiReceiver(); // 127.0.0.1, free port, Loki 3.4.6 limits
});
afterAll(async () => {
  await loki.close();
});
beforeEach(() => {
  loki.clear();
});

// Stand-in for the code under test: anything that POSTs to loki.pushUrl.
async function shipLog(url: string, line: string): Promise<number> {
  const ts = (BigInt(Date.now()) * 1_000_000n).toString();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ streams: [{ stream: { app: 'checkout' }, values: [[ts, line, { order_id: '42' }]] }] }),
  });
  return res.status;
}

it('stores what the client pushed', async () => {
  expect(await shipLog(loki.pushUrl, 'order placed')).toBe(204);

  const entries = await loki.waitForEntries(1, { selector: '{app="checkout"}' });
  expect(entries[0]?.line).toBe('order placed');
  // As a real Loki stores it: service_name and detected_level are Loki's own additions.
  expect(entries[0]?.labels).toEqual({ app: 'checkout', service_name: 'checkout' });
  expect(entries[0]?.metadata).toEqual({ order_id: '42', detected_level: 'unknown' });
});

it('lets a test script failures', async () => {
  loki.failNext(503, { status: 429, retryAfter: 1 });

  expect(await shipLog(loki.pushUrl, 'attempt 1')).toBe(503);
  expect(await shipLog(loki.pushUrl, 'attempt 2')).toBe(429);
  expect(await shipLog(loki.pushUrl, 'attempt 3')).toBe(204);

  expect(loki.requests.map((r) => r.status)).toEqual([503, 429, 204]);
  expect(loki.entries().map((e) => e.line)).toEqual(['attempt 3']);
  expect(loki.stats().statusCounts).toEqual({ 204: 1, 429: 1, 503: 1 });
});
