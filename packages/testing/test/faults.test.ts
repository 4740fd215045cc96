import { describe, expect, it } from 'vitest';
import { createLokiReceiver, type LokiReceiver } from '../src/index.js';
import { ENCODINGS, push, tsAgo, type PushBody, sharedReceiver, NO_DISCOVERY } from './helpers.js';

let receiver: LokiReceiver;
sharedReceiver(
  (r) => (receiver = r),
  (r) => r.setResponseDelay(0),
);

function body(line: string): PushBody {
  return { streams: [{ stream: { app: 'faults' }, values: [[tsAgo(), line]] }] };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { cause?: { code?: string } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { cause?: { code?: string } };
  }
  throw new Error('expected the request to fail');
}

describe('fault steps', () => {
  it('answers scripted statuses in order, then handles requests normally', async () => {
    receiver.failNext(503, 500);
    const statuses: number[] = [];
    const bodies: string[] = [];
    for (const line of ['first', 'second', 'third']) {
      const res = await push(receiver.pushUrl, 'json', body(line));
      statuses.push(res.status);
      bodies.push(res.body);
    }
    expect(statuses).toEqual([503, 500, 204]);
    expect(bodies).toEqual(['injected fault\n', 'injected fault\n', '']);
    expect(receiver.entries().map((e) => e.line)).toEqual(['third']);
    expect(receiver.requests.map((r) => [r.status, r.fault, r.entriesReceived, r.entriesStored])).toEqual([
      [503, 'status:503', 1, 0],
      [500, 'status:500', 1, 0],
      [204, undefined, 1, 1],
    ]);
  });

  it('sends Retry-After only when the step asks for it (real Loki never sends it)', async () => {
    receiver.failNext(
      429,
      { status: 429, retryAfter: 7 },
      { status: 429, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT', body: 'slow down\n' },
    );
    const plain = await push(receiver.pushUrl, 'json', body('a'));
    expect(plain.status).toBe(429);
    expect(plain.headers.get('retry-after')).toBeNull();
    const seconds = await push(receiver.pushUrl, 'json', body('b'));
    expect(seconds.status).toBe(429);
    expect(seconds.headers.get('retry-after')).toBe('7');
    const date = await push(receiver.pushUrl, 'json', body('c'));
    expect(date.headers.get('retry-after')).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(date.body).toBe('slow down\n');
    expect(receiver.entries()).toEqual([]);
  });

  it('delays, then handles the request normally', async () => {
    receiver.failNext({ delayMillis: 150 });
    const started = Date.now();
    const res = await push(receiver.pushUrl, 'protobuf+snappy', body('delayed'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['delayed']);
    expect(receiver.requests[0]?.fault).toBe('delay:150');
  });

  it('resets the connection: fetch rejects, nothing is stored, the next request works', async () => {
    receiver.failNext('reset');
    const err = await rejection(push(receiver.pushUrl, 'json', body('reset')));
    expect(err).toBeInstanceOf(TypeError);
    expect(receiver.requests[0]).toMatchObject({ status: 0, fault: 'reset', entriesReceived: 1, entriesStored: 0 });
    expect((await push(receiver.pushUrl, 'json', body('after reset'))).status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['after reset']);
  });

  it('hangs without answering, then resets', async () => {
    receiver.failNext({ hangMillis: 200 });
    const started = Date.now();
    const pending = rejection(push(receiver.pushUrl, 'json', body('hang')));
    const [request] = await receiver.waitForRequests(1);
    expect(request).toMatchObject({ status: 0, fault: 'hang:200' });
    const err = await pending;
    expect(err).toBeInstanceOf(TypeError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(receiver.entries()).toEqual([]);
  });

  it('rejects invalid steps', () => {
    expect(() => receiver.failNext({ status: 'x' } as never)).toThrow(TypeError);
    expect(() => receiver.failNext('explode' as never)).toThrow(TypeError);
    expect(() => receiver.failNext(42)).toThrow(TypeError);
  });

  it('applies a step only to push requests, and keeps pending steps across clear()', async () => {
    receiver.failNext(503);
    expect((await fetch(`${receiver.url}/ready`)).status).toBe(200);
    receiver.clear();
    expect((await push(receiver.pushUrl, 'json', body('x'))).status).toBe(503);
    expect((await push(receiver.pushUrl, 'json', body('y'))).status).toBe(204);
  });
});

describe('response delay', () => {
  it('delays every response until reset to 0', async () => {
    receiver.setResponseDelay(100);
    let started = Date.now();
    expect((await push(receiver.pushUrl, 'json', body('slow'))).status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    started = Date.now();
    expect((await fetch(`${receiver.url}/ready`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    receiver.setResponseDelay(0);
    expect((await push(receiver.pushUrl, 'json', body('fast'))).status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['slow', 'fast']);
    expect(() => receiver.setResponseDelay(-1)).toThrow(TypeError);
  });
});

describe('stop and start', () => {
  it('goes down (connection refused) and comes back on the same port, keeping stored entries', async () => {
    const port = receiver.port;
    expect((await push(receiver.pushUrl, 'json', body('before'))).status).toBe(204);
    await receiver.stop();
    const err = await rejection(push(receiver.pushUrl, 'json', body('while down')));
    expect(err).toBeInstanceOf(TypeError);
    expect(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(err.cause?.code);
    await receiver.start();
    expect(receiver.port).toBe(port);
    expect(receiver.pushUrl).toBe(`http://127.0.0.1:${port}/loki/api/v1/push`);
    expect((await push(receiver.pushUrl, 'json', body('after'))).status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['before', 'after']);
  });

  it('cuts in-flight requests when stopped', async () => {
    receiver.failNext({ hangMillis: 10_000 });
    const pending = rejection(push(receiver.pushUrl, 'json', body('in flight')));
    await receiver.waitForRequests(1);
    const started = Date.now();
    await receiver.stop();
    expect(await pending).toBeInstanceOf(TypeError);
    expect(Date.now() - started).toBeLessThan(2000);
    await receiver.start();
    expect((await push(receiver.pushUrl, 'json', body('back'))).status).toBe(204);
  });

  it('drops a delayed request when stopped before it is handled', async () => {
    receiver.setResponseDelay(5_000);
    const pending = rejection(push(receiver.pushUrl, 'json', body('never stored')));
    await receiver.stop();
    expect(await pending).toBeInstanceOf(TypeError);
    receiver.setResponseDelay(0);
    await receiver.start();
    expect((await push(receiver.pushUrl, 'json', body('stored'))).status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['stored']);
  });

  it('cannot be started after close()', async () => {
    const r = await createLokiReceiver(NO_DISCOVERY);
    await r.close();
    await expect(r.start()).rejects.toThrow(/after close/);
    await expect(r.waitForEntries(1)).rejects.toThrow(/closed/);
  });
});

describe('request recording and stats', () => {
  it('records every push with sizes, headers and outcome, and sums them in stats()', async () => {
    receiver.failNext(503);
    for (const name of Object.keys(ENCODINGS)) {
      await push(receiver.pushUrl, name, body(`via ${name}`), { 'User-Agent': 'loki-sdk-test' });
    }
    await push(receiver.pushUrl, 'json', { streams: [] });
    const requests = receiver.requests;
    expect(requests.map((r) => r.status)).toEqual([503, 204, 204, 204, 422]);
    const wire = Object.values(ENCODINGS).map((encode) => encode(body('x')).body.length);
    expect(requests[0]?.bodyBytes).toBeGreaterThan(0);
    expect(requests.every((r) => r.headers['user-agent'] === 'loki-sdk-test' || r.status === 422)).toBe(true);
    const gzip = requests[1]!;
    expect(gzip.contentEncoding).toBe('gzip');
    expect(gzip.uncompressedBytes).toBeGreaterThan(gzip.bodyBytes - 40);
    const proto = requests[3]!;
    expect(proto.contentType).toBe('application/x-protobuf');
    expect(proto.uncompressedBytes).toBeGreaterThan(0);
    expect(requests.every((r) => typeof r.receivedAt === 'number' && r.receivedAt <= Date.now())).toBe(true);
    expect(wire).toHaveLength(4);

    const stats = receiver.stats();
    expect(stats).toEqual({
      requests: 5,
      bodyBytes: requests.reduce((sum, r) => sum + r.bodyBytes, 0),
      entriesStored: 3,
      statusCounts: { 204: 3, 422: 1, 503: 1 },
    });
    receiver.clear();
    expect(receiver.stats()).toEqual({ requests: 0, bodyBytes: 0, entriesStored: 0, statusCounts: {} });
    expect(receiver.entries()).toEqual([]);
  });

  it('waitForRequests resolves on arrival and times out with a count', async () => {
    const waiting = receiver.waitForRequests(2);
    void push(receiver.pushUrl, 'json', body('one'));
    void push(receiver.pushUrl, 'json', body('two'));
    expect((await waiting).length).toBeGreaterThanOrEqual(2);
    await expect(receiver.waitForRequests(5, { timeoutMillis: 50 })).rejects.toThrow(
      'waitForRequests: timed out after 50 ms waiting for 5 push requests; 2 arrived',
    );
  });
});
