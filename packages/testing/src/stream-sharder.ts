/**
 * Loki 3.4's rate-based stream sharding (pkg/distributor/distributor.go `shardStream`, `shardCountFor`,
 * `createShards`), as an opt-in emulation. A stream whose rate plus this push's line bytes exceeds the desired
 * rate (`shard_streams.desired_rate`, 1536KB/s) is split into ceil((rate + push) / desired) streams with an
 * added `__stream_shard__="N"` label; entries go round-robin, numbered on from the shard used last. Each shard
 * is then a stream of its own in the ingester (its own rate limit and out-of-order window).
 *
 * Loki learns a stream's rate from its ingesters about once a second (a moving average), so a hot stream's
 * first pushes are not sharded and the outcome varies from run to run. Here the rate is the bytes the stream
 * took in the last second, known at once, so a test sees the same outcome every time.
 */
import { formatLabels } from './label-format.js';

export const STREAM_SHARD_LABEL = '__stream_shard__';
/** Loki's rate is a per-second figure. */
const RATE_WINDOW_MS = 1000;

/** What sharding needs of an entry: its line bytes (the push size) and line + metadata bytes (the rate). */
export interface ShardableEntry {
  lineBytes: number;
  bytes: number;
}

/** A stream of the forwarded request. */
export interface ShardableStream<E extends ShardableEntry> {
  labels: Record<string, string>;
  stream: string;
  entries: E[];
  replacementCharInLabels: boolean;
}

/** A stream after sharding; `unsharded` is the stream it came from (itself when not sharded). */
export type ShardedStream<S> = S & { unsharded: string };

export class StreamSharder {
  /** tenant + unsharded stream → what its shards took, oldest first, within the last second. */
  private readonly taken = new Map<string, Array<{ atMs: number; bytes: number }>>();
  private readonly lastShard = new Map<string, number>();

  /** `desiredRateBytesPerSecond` ≤ 0: never shard (Loki logs "invalid desired rate"). */
  constructor(private readonly desiredRateBytesPerSecond: number) {}

  shard<S extends ShardableStream<ShardableEntry>>(
    tenant: string,
    streams: readonly S[],
    nowMs: number,
  ): Array<ShardedStream<S>> {
    const out: Array<ShardedStream<S>> = [];
    for (const s of streams) {
      const key = `${tenant}\u0000${s.stream}`;
      const total = this.shardCount(key, s.entries, nowMs);
      if (total <= 1) {
        out.push({ ...s, unsharded: s.stream });
        continue;
      }
      const count = Math.min(total, s.entries.length);
      const start = this.lastShard.get(key) ?? 0;
      const derived: Array<ShardedStream<S>> = [];
      for (let i = 0; i < count; i++) {
        const labels = { ...s.labels, [STREAM_SHARD_LABEL]: String((start + i) % total) };
        derived.push({ ...s, labels, stream: formatLabels(labels), entries: [], unsharded: s.stream });
      }
      s.entries.forEach((e, i) => derived[i % count]!.entries.push(e));
      this.lastShard.set(key, start + count);
      out.push(...derived);
    }
    return out;
  }

  /** The ingester's rate record: `bytes` taken by (a shard of) the stream `unsharded`. */
  record(tenant: string, unsharded: string, bytes: number, nowMs: number): void {
    const key = `${tenant}\u0000${unsharded}`;
    let list = this.taken.get(key);
    if (list === undefined) this.taken.set(key, (list = []));
    list.push({ atMs: nowMs, bytes });
  }

  reset(): void {
    this.taken.clear();
    this.lastShard.clear();
  }

  private shardCount(key: string, entries: readonly ShardableEntry[], nowMs: number): number {
    if (this.desiredRateBytesPerSecond <= 0) return 1;
    const list = this.taken.get(key);
    if (list === undefined) return 1;
    while (list.length > 0 && list[0]!.atMs <= nowMs - RATE_WINDOW_MS) list.shift();
    if (list.length === 0) {
      this.taken.delete(key);
      return 1; // no push in the last second: Loki does not shard until it knows the rate
    }
    let rate = 0;
    for (const t of list) rate += t.bytes;
    let pushSize = 0;
    for (const e of entries) pushSize += e.lineBytes;
    const shards = (rate + pushSize) / this.desiredRateBytesPerSecond;
    return shards <= 1 ? 1 : Math.ceil(shards);
  }
}
