/**
 * The opt-in emulation of Loki 3.4's rate-based stream sharding (`shard_streams`, on by default in Loki, off
 * here): a stream pushed faster than the desired rate is split into streams with an added `__stream_shard__`
 * label, each with its own per-stream rate limit and out-of-order window.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLokiReceiver, type LokiReceiver, type LokiReceiverOptions } from '../src/index.js';
import { STREAM_SHARD_LABEL as STREAM_SHARD, StreamSharder } from '../src/stream-sharder.js';
import { postRaw, responseJson, tsAgo, NO_DISCOVERY } from './helpers.js';

const JSON_CT = { 'content-type': 'application/json' };

async function fresh(options: LokiReceiverOptions): Promise<LokiReceiver> {
  const r = await createLokiReceiver({ ...NO_DISCOVERY, ...options });
  onTestFinished(() => r.close());
  return r;
}

function pushOf(app: string, lines: string[], offsetNs = 0n): string {
  const base = BigInt(tsAgo());
  return JSON.stringify({
    streams: [{ stream: { app }, values: lines.map((l, i) => [(base + offsetNs + BigInt(i)).toString(), l]) }],
  });
}

const line = (c: string, bytes: number): string => c.repeat(bytes);

describe('StreamSharder (pure: the clock is an argument)', () => {
  const stream = (n: number, bytes = 500) => ({
    labels: { app: 'x' },
    stream: '{app="x"}',
    replacementCharInLabels: false,
    entries: Array.from({ length: n }, (_, i) => ({
      timestampNs: BigInt(i),
      line: line('a', bytes),
      lineBytes: bytes,
      bytes,
    })),
  });

  it('does not shard a stream whose rate is not known yet (its first push)', () => {
    const sharder = new StreamSharder(1000);
    expect(sharder.shard('t', [stream(10)], 0).map((s) => s.stream)).toEqual(['{app="x"}']);
  });

  it('splits into ceil((rate of the last second + push size) / desired rate) shards, entries round-robin', () => {
    const sharder = new StreamSharder(1000);
    sharder.record('t', '{app="x"}', 1500, 0);
    // (1500 + 4 × 500) / 1000 → 4 shards.
    const shards = sharder.shard('t', [stream(4)], 10);
    expect(shards.map((s) => [s.stream, s.labels, s.unsharded, s.entries.map((e) => e.timestampNs)])).toEqual([
      ['{__stream_shard__="0", app="x"}', { app: 'x', __stream_shard__: '0' }, '{app="x"}', [0n]],
      ['{__stream_shard__="1", app="x"}', { app: 'x', __stream_shard__: '1' }, '{app="x"}', [1n]],
      ['{__stream_shard__="2", app="x"}', { app: 'x', __stream_shard__: '2' }, '{app="x"}', [2n]],
      ['{__stream_shard__="3", app="x"}', { app: 'x', __stream_shard__: '3' }, '{app="x"}', [3n]],
    ]);
    // Fewer entries than shards: as many streams as entries, numbered on from the last shard used (4 of 5, then 0).
    sharder.record('t', '{app="x"}', 2000, 20);
    expect(sharder.shard('t', [stream(2)], 30).map((s) => (s.labels as Record<string, string>)[STREAM_SHARD])).toEqual([
      '4',
      '0',
    ]);
    // (3500 + 9 × 500) / 1000 → 8 shards for 9 entries.
    expect(sharder.shard('t', [stream(9)], 40).map((s) => s.entries.length)).toEqual([2, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('forgets the rate after a second, per tenant and stream; 0 turns sharding off', () => {
    const sharder = new StreamSharder(1000);
    sharder.record('t', '{app="x"}', 5000, 0);
    expect(sharder.shard('other', [stream(4)], 10)).toHaveLength(1);
    expect(sharder.shard('t', [stream(4)], 999)).toHaveLength(4);
    expect(sharder.shard('t', [stream(4)], 1000)).toHaveLength(1);
    const off = new StreamSharder(0);
    off.record('t', '{app="x"}', 5000, 0);
    expect(off.shard('t', [stream(4)], 10)).toHaveLength(1);
  });
});

describe('shardStreams: true', () => {
  it('stores a hot stream under __stream_shard__ labels; a selector on the stream labels finds them all', async () => {
    const r = await fresh({ shardStreams: true, limits: { shardStreamsDesiredRateBytesPerSecond: 1000 } });
    expect(
      (await postRaw(r.pushUrl, pushOf('x', [line('a', 500), line('b', 500), line('c', 500)]), JSON_CT)).status,
    ).toBe(204);
    expect((await postRaw(r.pushUrl, pushOf('x', [line('d', 500), line('e', 500)], 10n), JSON_CT)).status).toBe(204);
    expect(r.streams().map((s) => [s.stream, s.entries.length])).toEqual([
      ['{app="x"}', 3],
      ['{__stream_shard__="0", app="x"}', 1],
      ['{__stream_shard__="1", app="x"}', 1],
    ]);
    expect(r.entries('{app="x"}')).toHaveLength(5);
    const query = await responseJson(
      fetch(`${r.url}/loki/api/v1/query_range?query=${encodeURIComponent('{app="x"}')}`),
    );
    expect(
      query.data.result.map((s: { stream: Record<string, string> }) => s.stream.__stream_shard__ ?? 'none').sort(),
    ).toEqual(['0', '1', 'none']);
    const values = await responseJson(fetch(`${r.url}/loki/api/v1/label/__stream_shard__/values`));
    expect(values).toEqual({ status: 'success', data: ['0', '1'] });
  });

  it('gives each shard its own per-stream rate limit, so a push the unsharded stream could not take is stored', async () => {
    const limits = {
      perStreamRateBytesPerSecond: 1024,
      perStreamBurstBytes: 2048,
      shardStreamsDesiredRateBytesPerSecond: 1000,
    };
    const first = [line('a', 1000), line('b', 1000)];
    const second = [line('c', 1000), line('d', 1000), line('e', 1000)];
    const sharded = await fresh({ shardStreams: true, limits });
    expect((await postRaw(sharded.pushUrl, pushOf('hot', first), JSON_CT)).status).toBe(204);
    expect((await postRaw(sharded.pushUrl, pushOf('hot', second, 10n), JSON_CT)).status).toBe(204);
    expect(sharded.entries({ app: 'hot' })).toHaveLength(5);

    const plain = await fresh({ limits });
    expect((await postRaw(plain.pushUrl, pushOf('hot', first), JSON_CT)).status).toBe(204);
    const res = await postRaw(plain.pushUrl, pushOf('hot', second, 10n), JSON_CT);
    expect(res.status).toBe(429);
    expect(res.body).toContain('total ignored: 3 out of 3 for stream: {app="hot"}');
    expect(plain.streams().map((s) => s.stream)).toEqual(['{app="hot"}']);
  });

  it('is off by default and defaults to Loki 3.4.6 desired rate of 1536KB/s', async () => {
    const r = await fresh({});
    await postRaw(r.pushUrl, pushOf('x', [line('a', 500)]), JSON_CT);
    await postRaw(r.pushUrl, pushOf('x', [line('b', 500), line('c', 500)], 10n), JSON_CT);
    expect(r.streams().map((s) => s.stream)).toEqual(['{app="x"}']);
    // 1536KB: two pushes of 1 MB within a second make the second one 2 shards.
    const on = await fresh({ shardStreams: true, limits: { ingestionBurstBytes: 0 } });
    const mb = Array.from({ length: 5 }, (_, i) => line(String.fromCharCode(97 + i), 200_000));
    await postRaw(on.pushUrl, pushOf('x', mb), JSON_CT);
    await postRaw(on.pushUrl, pushOf('x', mb, 10n), JSON_CT);
    expect(on.streams().map((s) => [s.stream, s.entries.length])).toEqual([
      ['{app="x"}', 5],
      ['{__stream_shard__="0", app="x"}', 3],
      ['{__stream_shard__="1", app="x"}', 2],
    ]);
  });
});
