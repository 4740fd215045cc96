/**
 * The ingester's part of a push (pkg/ingester/instance.go `Push`, stream.go `validateEntries`), applied to
 * the streams the distributor accepted: per stream, the label re-parse (a U+FFFD in a value fails it), the
 * out-of-order window ("entry too far behind": older than the stream's newest entry minus half of
 * `max_chunk_age`), and the per-stream rate limit. With stream sharding on (Loki's default) the rate limit
 * takes a stream's share of the push all or nothing. Loki keeps only the last stream's result
 * (`appendErr` is overwritten per stream), so an earlier stream's error can end in a 204; `strict` reports
 * every failing stream instead.
 */
import { LabelSyntaxError, parseMetric } from './label-parser.js';
import { formatByteSize, formatGoTime, formatRfc3339 } from './time-format.js';
import { StreamLimit } from './stream-limit.js';
import type { ReceiverLimits } from './types.js';

/** An entry on its way into a stream. */
export interface IngesterEntry {
  timestampNs: bigint;
  line: string;
  /** Line + structured-metadata bytes (without `detected_level`): the rate limiter's cost. */
  bytes: number;
}

/** One stream of the forwarded request. */
export interface IngesterStream<E extends IngesterEntry> {
  stream: string;
  entries: E[];
  /** The distributor's label text would not parse again (an escaped U+FFFD in a value). */
  replacementCharInLabels: boolean;
}

/** An ingester error: an HTTP status and Loki's text. */
export interface IngesterError {
  status: number;
  message: string;
}

interface StreamState {
  /** Newest timestamp stored; undefined until the first entry (Go's zero time). */
  highestTs: bigint | undefined;
  lastTs: bigint | undefined;
  lastLine: string;
  tokens: number;
  lastRefillMs: number;
}

/** How many failed entries the message lists (`max_returned_stream_errors`). */
const MAX_RETURNED_STREAM_ERRORS = 10;
const NS_PER_MS = 1_000_000n;

/** Keeps the ingester's per-stream state between pushes. */
export class Ingester {
  private readonly states = new Map<string, StreamState>();
  private readonly windowNs: bigint;
  private readonly streamLimit: StreamLimit;

  constructor(
    private readonly limits: ReceiverLimits,
    private readonly strict: boolean,
  ) {
    this.windowNs = BigInt(Math.round(limits.outOfOrderWindowMillis)) * NS_PER_MS;
    this.streamLimit = new StreamLimit(limits.maxGlobalStreamsPerUser);
  }

  /**
   * Runs the ingester checks over the streams of one push. Returns, per stream, the entries to store, and
   * the error the push answers with (undefined: the distributor's result stands).
   */
  push<E extends IngesterEntry>(
    tenant: string,
    streams: ReadonlyArray<IngesterStream<E>>,
    nowMs: number,
  ): { toStore: E[][]; error: IngesterError | undefined } {
    const toStore: E[][] = [];
    let last: IngesterError | undefined;
    const all: IngesterError[] = [];
    for (const s of streams) {
      const result = s.replacementCharInLabels
        ? { store: [] as E[], error: reparseError(s.stream) }
        : this.pushStream(tenant, s, nowMs);
      toStore.push(result.store);
      last = result.error;
      if (result.error !== undefined) all.push(result.error);
    }
    if (!this.strict || all.length <= 1) return { toStore, error: this.strict ? all[0] : last };
    return { toStore, error: { status: all[all.length - 1]!.status, message: all.map((e) => e.message).join('\n') } };
  }

  private pushStream<E extends IngesterEntry>(
    tenant: string,
    s: IngesterStream<E>,
    nowMs: number,
  ): { store: E[]; error: IngesterError | undefined } {
    const key = `${tenant}\u0000${s.stream}`;
    let state = this.states.get(key);
    if (state === undefined) {
      const refused = this.streamLimit.admit(tenant, s.stream);
      if (refused !== undefined) return { store: [], error: refused };
      state = {
        highestTs: undefined,
        lastTs: undefined,
        lastLine: '',
        tokens: this.limits.perStreamBurstBytes,
        lastRefillMs: nowMs,
      };
      this.states.set(key, state);
    }
    const windowNs = this.windowNs;
    let highestTs = state.highestTs;
    let lastTs = state.lastTs;
    let lastLine = state.lastLine;
    let validBytes = 0;
    let store: E[] = s.entries;
    let tooFarBehind: Array<{ entry: E; cutoff: bigint }> | undefined;
    for (let i = 0; i < s.entries.length; i++) {
      const e = s.entries[i]!;
      // The same timestamp and line as the last entry appended: skipped without a word.
      if (e.timestampNs === lastTs && e.line === lastLine) {
        if (store === s.entries) store = s.entries.slice(0, i);
        continue;
      }
      // The usual in-order entry is not older than the newest one: no cutoff (a BigInt allocation) computed.
      if (
        windowNs > 0n &&
        highestTs !== undefined &&
        e.timestampNs < highestTs &&
        e.timestampNs < highestTs - windowNs
      ) {
        (tooFarBehind ??= []).push({ entry: e, cutoff: highestTs - windowNs });
        if (store === s.entries) store = s.entries.slice(0, i);
        continue;
      }
      validBytes += e.bytes;
      lastTs = e.timestampNs;
      lastLine = e.line;
      if (highestTs === undefined || e.timestampNs > highestTs) highestTs = e.timestampNs;
      if (store !== s.entries) store.push(e);
    }

    if (!this.allow(state, validBytes, nowMs)) {
      const limit = formatByteSize(this.limits.perStreamRateBytesPerSecond);
      return {
        store: [],
        error: failedEntries(
          429,
          tenant,
          s.stream,
          s.entries.length,
          store.map((entry) => ({
            entry,
            reason: `Per stream rate limit exceeded (limit: ${limit}/sec) while attempting to ingest for stream '${s.stream}' totaling ${formatByteSize(entry.bytes)}, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased`,
          })),
        ),
      };
    }
    state.highestTs = highestTs;
    state.lastTs = lastTs;
    state.lastLine = lastLine;
    if (tooFarBehind === undefined) return { store, error: undefined };
    return {
      store,
      error: failedEntries(
        400,
        tenant,
        s.stream,
        s.entries.length,
        tooFarBehind.map(({ entry, cutoff }) => ({
          entry,
          reason: `entry too far behind, entry timestamp is: ${formatRfc3339(entry.timestampNs)}, oldest acceptable timestamp is: ${formatRfc3339(cutoff)}`,
        })),
      ),
    };
  }

  /** `x/time/rate` AllowN on the stream's bucket (capacity = burst, starts full); off when the rate is 0. */
  private allow(state: StreamState, n: number, nowMs: number): boolean {
    const rate = this.limits.perStreamRateBytesPerSecond;
    if (rate <= 0 || n === 0) return true;
    const burst = this.limits.perStreamBurstBytes;
    const tokens = Math.min(burst, state.tokens + ((nowMs - state.lastRefillMs) / 1000) * rate);
    state.lastRefillMs = nowMs;
    if (n > tokens) {
      state.tokens = tokens;
      return false;
    }
    state.tokens = tokens - n;
    return true;
  }

  /** Forgets every stream (as if the ingester had flushed them all). */
  reset(): void {
    this.states.clear();
    this.streamLimit.reset();
  }
}

function failedEntries<E extends IngesterEntry>(
  status: number,
  tenant: string,
  stream: string,
  total: number,
  failed: ReadonlyArray<{ entry: E; reason: string }>,
): IngesterError {
  let message = '';
  for (const f of failed.slice(0, MAX_RETURNED_STREAM_ERRORS)) {
    message += `entry with timestamp ${formatGoTime(f.entry.timestampNs)} ignored, reason: '${f.reason}',\n`;
  }
  message += `user '${tenant}', total ignored: ${failed.length} out of ${total} for stream: ${stream}`;
  return { status, message };
}

/** The ingester's `ParseLabels` of the distributor's label text; only called when it fails. */
function reparseError(stream: string): IngesterError {
  try {
    parseMetric(stream);
  } catch (err) {
    if (err instanceof LabelSyntaxError) return { status: 400, message: err.message };
    throw err;
  }
  return { status: 400, message: `${stream}: invalid UTF-8 rune` };
}
