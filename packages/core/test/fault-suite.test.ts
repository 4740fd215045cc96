import { readFileSync } from 'node:fs';
import https from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { client, receiver, until } from './helpers.js';

const fast = { retryInitialDelayMillis: 20, retryMaxDelayMillis: 250 };

describe('fault suite', () => {
  it('Loki down for 30 s then back: nothing lost, memory bounded, the app never blocked', async () => {
    const r = await receiver();
    const { client: c } = client(r, { ...fast, retryMaxDelayMillis: 1000, batchIntervalMillis: 100 });
    const loop = monitorEventLoopDelay({ resolution: 10 });
    await r.stop();
    const rssBefore = process.memoryUsage().rss;
    let pushed = 0;
    let worstPushMillis = 0;
    loop.enable();
    const downAt = Date.now();
    while (Date.now() - downAt < 30_000) {
      const t0 = performance.now();
      for (let k = 0; k < 100; k++) c.push({ message: `outage ${pushed++}`, level: 'info', n: pushed });
      worstPushMillis = Math.max(worstPushMillis, performance.now() - t0);
      await new Promise((res) => setTimeout(res, 20));
    }
    loop.disable();
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(c.stats()).toMatchObject({ offline: true, entriesDropped: 0, bufferedEntries: pushed });
    await r.start();
    const result = await c.flush({ timeoutMillis: 30_000 });
    expect(result.ok).toBe(true);
    expect(r.stats().entriesStored).toBe(pushed);
    // ~140 000 short entries held for 30 s: bounded well below 1 GiB (bufferMaxBytes is 64 MiB of payload).
    expect(rssGrowth).toBeLessThan(512 * 1024 * 1024);
    // 100 pushes never take long, and the event loop stays responsive (no sync network, no busy waits).
    expect(worstPushMillis).toBeLessThan(250);
    expect(loop.percentile(99) / 1e6).toBeLessThan(250);
  }, 90_000);

  it('a 429 storm without Retry-After: backs off, delivers everything', async () => {
    const r = await receiver();
    const { client: c } = client(r, fast);
    r.failNext(...Array.from({ length: 8 }, () => 429));
    for (let i = 0; i < 100; i++) c.push({ message: `m${i}` });
    const result = await c.flush({ timeoutMillis: 20_000 });
    expect(result.ok).toBe(true);
    expect(r.entries()).toHaveLength(100);
    expect(c.stats().retries).toBe(8);
    // Backoff grows: the last gap is longer than the first.
    const times = r.requests.map((q) => q.receivedAt);
    expect(times.at(-1)! - times.at(-2)!).toBeGreaterThan(times[1]! - times[0]!);
  }, 30_000);

  it('a 429 storm with Retry-After: waits as told', async () => {
    const r = await receiver();
    const { client: c } = client(r, { retryInitialDelayMillis: 1, retryMaxDelayMillis: 2 });
    r.failNext({ status: 429, retryAfter: '1' }, { status: 429, retryAfter: '1' });
    c.push({ message: 'patient' });
    await c.flush();
    const times = r.requests.map((q) => q.receivedAt);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(950);
    expect(r.entries()).toHaveLength(1);
  });

  it.each([500, 503])(
    'a run of %i answers: retried until stored',
    async (status) => {
      const r = await receiver();
      const { client: c } = client(r, fast);
      r.failNext(...Array.from({ length: 6 }, () => status));
      for (let i = 0; i < 10; i++) c.push({ message: `m${i}` });
      expect((await c.flush({ timeoutMillis: 20_000 })).ok).toBe(true);
      expect(r.entries()).toHaveLength(10);
    },
    30_000,
  );

  it('connection resets mid-request: retried until stored', async () => {
    const r = await receiver();
    const { client: c } = client(r, fast);
    r.failNext('reset', 'reset', 'reset', 'reset');
    c.push({ message: 'resilient' });
    expect((await c.flush()).ok).toBe(true);
    expect(r.entries().map((e) => e.line)).toEqual(['resilient']);
  });

  it('answers slower than the request timeout: the attempt is abandoned and retried', async () => {
    const r = await receiver();
    const { client: c } = client(r, { ...fast, requestTimeoutMillis: 200 });
    r.failNext({ hangMillis: 1000 }, { hangMillis: 1000 });
    c.push({ message: 'eventually' });
    expect((await c.flush()).ok).toBe(true);
    expect(c.stats().retries).toBe(2);
    expect(r.entries().map((e) => e.line)).toEqual(['eventually']);
  });

  it('a host that does not resolve: reported with its code, entries kept (or dropped and counted without the offline buffer)', async () => {
    const kept = client(await receiver(), {
      ...fast,
      host: 'http://loki.does-not-exist.invalid:3100',
      requestTimeoutMillis: 2000,
    });
    kept.client.push({ message: 'waits' });
    await until(() => kept.errors.length > 0);
    expect(kept.errors[0]!.code).toBe('ERR_LOKI_UNAVAILABLE');
    expect(kept.errors[0]!.message).toMatch(/ENOTFOUND|EAI_AGAIN|getaddrinfo/);
    expect(kept.client.stats().bufferedEntries).toBe(1);

    const dropped = client(await receiver(), {
      ...fast,
      host: 'http://loki.does-not-exist.invalid:3100',
      requestTimeoutMillis: 2000,
      offlineBuffer: false,
      retryMaxAttempts: 2,
    });
    dropped.client.push({ message: 'lost' });
    const result = await dropped.client.flush();
    expect(result).toMatchObject({ ok: false, dropped: 1 });
    expect(dropped.client.stats().droppedByReason.retries_exhausted).toBe(1);
  });

  it('a TLS certificate the client does not trust: clear error, nothing sent; trusted through tls.ca it works', async () => {
    const dir = fileURLToPath(new URL('./fixtures/tls/', import.meta.url));
    const cert = readFileSync(`${dir}cert.pem`);
    const key = readFileSync(`${dir}key.pem`);
    const received: Buffer[] = [];
    const server = https.createServer({ cert, key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        received.push(Buffer.concat(chunks));
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const r = await receiver();
      const untrusted = client(r, {
        ...fast,
        host: `https://127.0.0.1:${port}`,
        offlineBuffer: false,
        retryMaxAttempts: 1,
      });
      untrusted.client.push({ message: 'secret' });
      const bad = await untrusted.client.flush();
      expect(bad).toMatchObject({ ok: false, dropped: 1 });
      expect(untrusted.errors[0]!.message).toMatch(/self[- ]signed certificate/i);
      expect(received).toHaveLength(0);

      const trusted = client(r, { host: `https://127.0.0.1:${port}`, tls: { ca: cert } });
      trusted.client.push({ message: 'secret' });
      expect((await trusted.client.flush()).ok).toBe(true);
      expect(received).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
