import { describe, expect, it } from 'vitest';
import { client, receiver, until } from './helpers.js';

const fast = { retryInitialDelayMillis: 20, retryMaxDelayMillis: 200 };

describe('retry', () => {
  it.each([500, 502, 503, 429])('retries a %i with the same timestamps and stores the batch once', async (status) => {
    const r = await receiver();
    const { client: c, errors } = client(r, fast);
    r.failNext(status, status);
    c.push({ message: 'a' });
    c.push({ message: 'b' });
    const result = await c.flush();
    expect(result.ok).toBe(true);
    expect(r.requests.map((q) => q.status)).toEqual([status, status, 204]);
    expect(r.entries().map((e) => e.line)).toEqual(['a', 'b']);
    expect(c.stats()).toMatchObject({ retries: 2, entriesRetried: 4, entriesSent: 2, requestsFailed: 2 });
    expect(errors.map((e) => e.code)).toEqual(['ERR_LOKI_UNAVAILABLE']);
    expect(errors[0]!.status).toBe(status);
  });

  it('counts as entriesResent only the re-sends of a request Loki may have stored (lost answer, 5xx), not after a refused connection or a 429', async () => {
    const r = await receiver();
    const { client: c } = client(r, fast);
    r.failNext('reset', 503, 429);
    c.push({ message: 'a' });
    c.push({ message: 'b' });
    await c.flush();
    // reset: may be stored, so attempt 2 re-sends; 503: attempt 3 re-sends; 429: Loki stored nothing, but
    // an earlier attempt may have been stored, so attempt 4 is still a re-send.
    expect(c.stats()).toMatchObject({ retries: 3, entriesRetried: 6, entriesResent: 6, entriesSent: 2 });

    const down = await receiver();
    await down.stop();
    const { client: d } = client(down, fast);
    d.push({ message: 'c' });
    await until(() => d.stats().requestsFailed >= 2);
    await down.start();
    await d.flush();
    expect(d.stats()).toMatchObject({ entriesSent: 1, entriesResent: 0 });
    expect(d.stats().entriesRetried).toBeGreaterThanOrEqual(2);
    down.failNext(429);
    d.push({ message: 'd' });
    await d.flush();
    expect(d.stats()).toMatchObject({ entriesSent: 2, entriesResent: 0 });
  });

  it("re-sends byte-identical requests, so Loki's duplicate check makes a retry safe", async () => {
    const r = await receiver();
    const { client: c } = client(r, fast);
    r.failNext({ delayMillis: 0 }, 503);
    c.push({ message: 'once' });
    await c.flush();
    // first attempt was stored (delay step then normal handling), second 503, third stored again: deduplicated.
    expect(r.entries().map((e) => e.line)).toEqual(['once']);
  });

  it('honours Retry-After on a 429', async () => {
    const r = await receiver();
    const { client: c } = client(r, { retryInitialDelayMillis: 1, retryMaxDelayMillis: 5 });
    r.failNext({ status: 429, retryAfter: 1 });
    c.push({ message: 'later' });
    await c.flush();
    const [first, second] = r.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(r.entries()).toHaveLength(1);
  });

  it('retries connection resets and timeouts', async () => {
    const r = await receiver();
    const { client: c } = client(r, { ...fast, requestTimeoutMillis: 300 });
    r.failNext('reset', { hangMillis: 2000 });
    c.push({ message: 'survives' });
    const result = await c.flush();
    expect(result.ok).toBe(true);
    expect(r.entries().map((e) => e.line)).toEqual(['survives']);
    expect(c.stats().retries).toBe(2);
  });

  it("never retries a 400: the valid entries are stored, the report carries Loki's message, later batches go through", async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, fast);
    const now = BigInt(Date.now()) * 1_000_000n;
    c.push({ message: 'good 1' });
    c.push({ message: 'too old', timestamp: now - 8n * 24n * 3600n * 1_000_000_000n });
    c.push({ message: 'good 2' });
    const first = await c.flush();
    c.push({ message: 'next batch' });
    await c.flush();
    expect(r.requests.map((q) => q.status)).toEqual([400, 204]);
    expect(r.entries().map((e) => e.line)).toEqual(['good 1', 'good 2', 'next batch']);
    expect(first).toMatchObject({ ok: false, acknowledged: 3, partiallyRejected: 3 });
    expect(errors.map((e) => e.code)).toEqual(['ERR_LOKI_PARTIAL_REJECT']);
    expect(errors[0]!.responseBody).toContain('timestamp too old');
    expect(errors[0]).toMatchObject({ status: 400, entries: 3 });
    expect(c.stats().requestsPartiallyRejected).toBe(1);
  });

  it('drops (and counts) a batch rejected with another 4xx, never retrying it', async () => {
    const r = await receiver({ authEnabled: true });
    const { client: c, errors } = client(r, fast);
    c.push({ message: 'no tenant' });
    const result = await c.flush();
    expect(result).toMatchObject({ ok: false, dropped: 1 });
    expect(r.requests.map((q) => q.status)).toEqual([401]);
    expect(c.stats().droppedByReason.rejected).toBe(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_LOKI_REJECTED', status: 401 });
    expect(errors[0]!.message).toContain('no org id');
  });

  it('drops (and counts) a batch Loki answers 260, ingestion blocked, never retrying it', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, fast);
    r.failNext({ status: 260, body: 'ingestion blocked for tenant' });
    c.push({ message: 'blocked' });
    const result = await c.flush();
    expect(result).toMatchObject({ ok: false, dropped: 1, acknowledged: 0 });
    expect(r.requests.map((q) => q.status)).toEqual([260]);
    expect(r.entries()).toEqual([]);
    expect(c.stats()).toMatchObject({ requestsFailed: 1, entriesDropped: 1 });
    expect(c.stats().droppedByReason.ingestion_blocked).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'ERR_LOKI_INGESTION_BLOCKED',
      status: 260,
      responseBody: 'ingestion blocked for tenant',
      entries: 1,
    });
    expect(errors[0]!.message).toMatch(/^Loki blocks ingestion \(HTTP 260 from .*\): ingestion blocked for tenant$/);
  });

  it('gives a batch up after retryMaxAttempts when the offline buffer is off', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, { ...fast, offlineBuffer: false, retryMaxAttempts: 3 });
    r.failNext(503, 503, 503, 503);
    c.push({ message: 'lost' });
    const result = await c.flush();
    expect(result).toMatchObject({ ok: false, dropped: 1, acknowledged: 0 });
    expect(r.requests).toHaveLength(3);
    expect(c.stats().droppedByReason.retries_exhausted).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['ERR_LOKI_UNAVAILABLE', 'ERR_LOKI_RETRIES_EXHAUSTED']);
  });
});

describe('offline buffer', () => {
  it('loses nothing while the receiver is down for 10 s mid-stream', async () => {
    const r = await receiver();
    const { client: c } = client(r, {
      ...fast,
      retryMaxDelayMillis: 500,
      retryMaxAttempts: 3,
      batchIntervalMillis: 50,
    });
    for (let i = 0; i < 500; i++) c.push({ message: `before ${i}` });
    await r.waitForEntries(500);
    await r.stop();
    const downAt = Date.now();
    let i = 0;
    while (Date.now() - downAt < 10_000) {
      for (let k = 0; k < 100; k++) c.push({ message: `during ${i++}` });
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(c.stats().offline).toBe(true);
    await r.start();
    for (let k = 0; k < 500; k++) c.push({ message: `after ${k}` });
    const result = await c.flush({ timeoutMillis: 20_000 });
    expect(result.ok).toBe(true);
    expect(r.stats().entriesStored).toBe(1000 + i);
    expect(c.stats().entriesDropped).toBe(0);
    expect(c.stats().offline).toBe(false);
  }, 40_000);

  it('drops the oldest entries, counted exactly, when the buffer is too small', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, { ...fast, bufferMaxEntries: 100, batchMaxEntries: 50 });
    await r.stop();
    for (let i = 0; i < 300; i++) c.push({ message: `m${i}` });
    await until(() => c.stats().requests >= 2);
    await r.start();
    const result = await c.flush({ timeoutMillis: 10_000 });
    const stored = r.entries().map((e) => e.line);
    expect(stored).toHaveLength(100);
    expect(c.stats().droppedByReason.buffer_full).toBe(200);
    expect(stored.at(-1)).toBe('m299');
    // The flush answers for the 200 dropped before it too.
    expect(result).toMatchObject({ ok: false, acknowledged: 100, dropped: 200, pending: 0 });
    expect(c.stats()).toMatchObject({ entriesSent: 100, entriesDropped: 200 });
    expect(errors.map((e) => e.code)).toContain('ERR_LOKI_BUFFER_FULL');
  }, 20_000);

  it('holds memory to the byte bound', async () => {
    const r = await receiver();
    const { client: c } = client(r, { ...fast, bufferMaxBytes: 100_000 });
    await r.stop();
    for (let i = 0; i < 1000; i++) c.push({ message: 'z'.repeat(1000) });
    expect(c.stats().bufferedBytes).toBeLessThanOrEqual(100_000);
    expect(c.stats().bufferedEntries + c.stats().droppedByReason.buffer_full).toBe(1000);
  });
});

describe('the next batch, encoded while a request is on the wire', () => {
  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('is sent as encoded when its entries are unchanged: every entry once, in order', async () => {
    const r = await receiver();
    r.setResponseDelay(100);
    const { client: c } = client(r, { batchMaxEntries: 10 });
    for (let i = 0; i < 35; i++) c.push({ message: `m${i}` });
    expect(await c.flush()).toMatchObject({ ok: true, acknowledged: 35 });
    expect(r.requests.map((q) => q.entriesStored)).toEqual([10, 10, 10, 5]);
    expect(r.entries().map((e) => e.line)).toEqual(Array.from({ length: 35 }, (_, i) => `m${i}`));
  });

  it('is encoded again when the oldest of its entries were dropped meanwhile (buffer full)', async () => {
    const r = await receiver();
    r.setResponseDelay(300);
    const { client: c } = client(r, { batchMaxEntries: 10, bufferMaxEntries: 20 });
    for (let i = 0; i < 10; i++) c.push({ message: `m${i}` });
    await until(() => c.stats().requests === 1);
    for (let i = 10; i < 20; i++) c.push({ message: `m${i}` });
    // The pump, then the encoding ahead, each run on a later turn of the event loop.
    await tick();
    await tick();
    await tick();
    // Over the 20-entry bound: m10..m14 (the front of the encoded batch) are dropped.
    for (let i = 20; i < 25; i++) c.push({ message: `m${i}` });
    expect(c.stats().droppedByReason.buffer_full).toBe(5);
    expect(await c.flush()).toMatchObject({ ok: false, acknowledged: 20, dropped: 5, pending: 0 });
    const expected = [
      ...Array.from({ length: 10 }, (_, i) => `m${i}`),
      ...Array.from({ length: 10 }, (_, i) => `m${i + 15}`),
    ];
    expect(r.entries().map((e) => e.line)).toEqual(expected);
    expect(c.stats()).toMatchObject({ entriesSent: 20, entriesDropped: 5, bufferedEntries: 0 });
  });
});

describe('flush and close', () => {
  it('flush answers for every entry pushed before it, also those that failed before it was called (401)', async () => {
    const r = await receiver({ authEnabled: true });
    const { client: c } = client(r, { ...fast, batchIntervalMillis: 10 });
    for (let i = 0; i < 5; i++) c.push({ message: `no tenant ${i}` });
    await until(() => c.stats().droppedByReason.rejected === 5);
    const result = await c.flush();
    expect(r.stats().entriesStored).toBe(0);
    expect(result).toMatchObject({ ok: false, acknowledged: 0, dropped: 5, pending: 0, timedOut: false });
    expect(result.droppedByReason).toMatchObject({ rejected: 5 });
  });

  it('flush counts add up to stats(): acknowledged + dropped + pending = entries pushed before it', async () => {
    const r = await receiver();
    const { client: c } = client(r, {
      ...fast,
      bufferMaxEntries: 10,
      batchMaxEntries: 5,
      maxLineBytes: 100,
      oversizedLine: 'drop',
    });
    await r.stop();
    for (let i = 0; i < 30; i++) c.push({ message: `m${i}` });
    c.push({ message: 'y'.repeat(200) });
    await r.start();
    const result = await c.flush({ timeoutMillis: 10_000 });
    const stats = c.stats();
    expect(stats.entriesPushed).toBe(31);
    expect(result.acknowledged).toBe(stats.entriesSent);
    expect(result.dropped).toBe(stats.entriesDropped);
    expect(result.droppedByReason).toEqual(stats.droppedByReason);
    expect(result.acknowledged + result.dropped + result.pending).toBe(31);
    expect(result).toMatchObject({ ok: false, acknowledged: 10, dropped: 21 });
    expect(r.stats().entriesStored).toBe(10);
  });

  it('a timed-out flush counts what is still pending, and the counts still add up', async () => {
    const r = await receiver();
    const { client: c } = client(r, fast);
    c.push({ message: 'delivered' });
    await c.flush();
    await r.stop();
    c.push({ message: 'waiting' });
    const result = await c.flush({ timeoutMillis: 300 });
    expect(result).toMatchObject({ ok: false, timedOut: true, acknowledged: 1, dropped: 0, pending: 1 });
  });

  it('a flush deadline longer than a Node timer holds waits (it is not a timer that fires at once)', async () => {
    const r = await receiver();
    const { client: c } = client(r, fast);
    await r.stop();
    c.push({ message: 'waits for Loki' });
    // 1e10 ms is past 2^31-1: as a raw setTimeout it would fire at once and answer timedOut.
    const flushing = c.flush({ timeoutMillis: 1e10 });
    await r.start();
    expect(await flushing).toMatchObject({ ok: true, timedOut: false, acknowledged: 1, pending: 0 });
    expect(r.entries().map((e) => e.line)).toEqual(['waits for Loki']);
  });

  it('flush says what happened to everything pushed before it', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    const droppedByReason = c.stats().droppedByReason;
    expect(await c.flush()).toEqual({
      ok: true,
      acknowledged: 0,
      dropped: 0,
      droppedByReason,
      partiallyRejected: 0,
      pending: 0,
      timedOut: false,
    });
    c.push({ message: 'one' });
    c.push({ message: 'two' });
    expect(await c.flush()).toEqual({
      ok: true,
      acknowledged: 2,
      dropped: 0,
      droppedByReason,
      partiallyRejected: 0,
      pending: 0,
      timedOut: false,
    });
  });

  it('flush times out with the count still pending when Loki is away', async () => {
    const r = await receiver();
    const { client: c } = client(r, fast);
    await r.stop();
    c.push({ message: 'waiting' });
    const result = await c.flush({ timeoutMillis: 300 });
    expect(result).toMatchObject({ ok: false, timedOut: true, pending: 1 });
  });

  it('ok says whether anything went wrong since the previous flush answered; the counts stay those of stats()', async () => {
    const r = await receiver();
    const { client: c } = client(r, { maxLineBytes: 100, oversizedLine: 'drop' });
    const check = (result: Awaited<ReturnType<typeof c.flush>>) => {
      const stats = c.stats();
      expect([result.acknowledged, result.dropped, result.droppedByReason]).toEqual([
        stats.entriesSent,
        stats.entriesDropped,
        stats.droppedByReason,
      ]);
      return result;
    };
    c.push({ message: 'y'.repeat(200) });
    c.push({ message: 'a' });
    expect(check(await c.flush())).toMatchObject({ ok: false, acknowledged: 1, dropped: 1 });
    // Told once: a flush with nothing new since is ok, and still carries the loss in its counts.
    expect(check(await c.flush())).toMatchObject({ ok: true, acknowledged: 1, dropped: 1 });
    c.push({ message: 'b' });
    expect(check(await c.flush())).toMatchObject({ ok: true, acknowledged: 2, dropped: 1 });
    // Two flushes called before either answers both tell of a loss between them and the last answer.
    c.push({ message: 'y'.repeat(200) });
    c.push({ message: 'c' });
    const [first, second] = await Promise.all([c.flush(), c.flush()]);
    expect([first.ok, second.ok]).toEqual([false, false]);
    expect(check(await c.flush())).toMatchObject({ ok: true, acknowledged: 3, dropped: 2 });
  });

  it('after a timed-out flush, a flush that sees those entries delivered is ok; one that sees them dropped is not', async () => {
    const r = await receiver();
    const { client: c } = client(r, { ...fast, retryMaxAttempts: 2, offlineBuffer: false });
    await r.stop();
    c.push({ message: 'late' });
    expect(await c.flush({ timeoutMillis: 1 })).toMatchObject({ ok: false, timedOut: true, pending: 1 });
    await r.start();
    expect(await c.flush({ timeoutMillis: 10_000 })).toMatchObject({
      ok: true,
      acknowledged: 1,
      dropped: 0,
      pending: 0,
    });
    await r.stop();
    c.push({ message: 'lost' });
    expect(await c.flush({ timeoutMillis: 1 })).toMatchObject({ ok: false, timedOut: true, pending: 1 });
    await until(() => c.stats().entriesDropped === 1);
    expect(await c.flush()).toMatchObject({ ok: false, acknowledged: 1, dropped: 1, pending: 0 });
    expect(await c.flush()).toMatchObject({ ok: true, acknowledged: 1, dropped: 1, pending: 0 });
  });

  it('close is idempotent, bounded by its deadline, and counts pushes after it', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, { ...fast, closeTimeoutMillis: 500 });
    await r.stop();
    c.push({ message: 'stranded' });
    const started = Date.now();
    const [a, b] = await Promise.all([c.close(), c.close()]);
    expect(a).toBe(b);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(a).toMatchObject({ ok: false, timedOut: true, pending: 1 });
    expect(c.stats().droppedByReason.shutdown_timeout).toBe(1);
    c.push({ message: 'late' });
    expect(c.stats().droppedByReason.closed).toBe(1);
    expect(c.closed).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(expect.arrayContaining(['ERR_LOKI_SHUTDOWN_TIMEOUT', 'ERR_LOKI_CLOSED']));
  });

  it('close delivers what is pending', async () => {
    const r = await receiver();
    const { client: c } = client(r, { batchIntervalMillis: 60_000 });
    c.push({ message: 'last words' });
    expect(await c.close()).toMatchObject({ ok: true, acknowledged: 1 });
    expect(r.entries().map((e) => e.line)).toEqual(['last words']);
  });
});

describe('requests', () => {
  it('sends tenant, basic auth, extra headers; never mutates the headers given', async () => {
    const r = await receiver({ authEnabled: true });
    const headers = { 'X-Custom': 'yes' };
    const { client: c } = client(r, {
      tenantId: 'team-a',
      basicAuth: { username: 'u', password: 'secret-pw' },
      headers,
    });
    c.push({ message: 'tenant a' });
    await c.flush();
    expect(r.entries(undefined, { tenant: 'team-a' }).map((e) => e.line)).toEqual(['tenant a']);
    const req = r.requests[0]!;
    expect(req.headers['x-custom']).toBe('yes');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('u:secret-pw').toString('base64')}`);
    expect(req.headers['x-scope-orgid']).toBe('team-a');
    expect(headers).toEqual({ 'X-Custom': 'yes' });
  });

  it('sends a bearer token', async () => {
    const r = await receiver();
    const { client: c } = client(r, { bearerToken: 'tok' });
    c.push({ message: 'x' });
    await c.flush();
    expect(r.requests[0]!.headers.authorization).toBe('Bearer tok');
  });

  it('keeps credentials out of error messages', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, {
      ...fast,
      url: r.pushUrl.replace('//', '//user:hunter2@'),
      offlineBuffer: false,
      retryMaxAttempts: 1,
    });
    await r.stop();
    c.push({ message: 'x' });
    await c.flush();
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(`${e.message} ${e.stack}`).not.toContain('hunter2');
  });

  it('sends no more requests at once than maxRequestsInFlight', async () => {
    const r = await receiver();
    r.setResponseDelay(30);
    const { client: c } = client(r, { batchMaxEntries: 10, maxRequestsInFlight: 2 });
    let inFlight = 0;
    let most = 0;
    for (let i = 0; i < 100; i++) c.push({ message: `m${i}` });
    const timer = setInterval(() => {
      inFlight = c.stats().requests - r.requests.length;
      most = Math.max(most, inFlight);
    }, 1);
    await c.flush();
    clearInterval(timer);
    expect(r.entries()).toHaveLength(100);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('never throws into the application, whatever it pushes', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    expect(() => c.push(hostile as never)).not.toThrow();
    expect(() => c.push(null as never)).not.toThrow();
    expect(() => c.push('just a string' as never)).not.toThrow();
    expect(() => c.push({ message: 'bad time', timestamp: 'yesterday-ish' })).not.toThrow();
    await c.flush();
    expect(c.stats().droppedByReason.invalid_record).toBe(1);
    expect(c.stats().invalidTimestamps).toBe(1);
    expect(r.entries().map((e) => e.line)).toEqual(['null', 'just a string', 'bad time']);
  });
});
