import type { MessagePort } from 'node:worker_threads';
import { COMPRESSIONS, DROP_REASONS, type DropReason, type FlushResult, type LokiClientStats } from './client.js';
import type { LokiErrorCode } from './errors.js';
import type { LokiClientOptions } from './options.js';
import type { LokiEntryInput } from './entry-input.js';
import type { MetricsFromWorker } from './worker-metrics.js';

/**
 * The contract between the main-thread half of the delivery worker (worker-host.ts) and its worker
 * half (worker-thread.ts). The main thread only turns each entry into text (the adapter's job); the
 * worker maps it back with the adapter's mapper, batches and sends it with a core client.
 */

/**
 * The adapter's mapper: one line of a chunk back to core's entry input (pushed to the worker's entry sink).
 * `isRecord`: the line is an already mapped entry as JSON; otherwise the adapter's own form of the entry.
 * `options`: what the adapter passed as `mapperOptions` (structured-cloned into the worker).
 */
export type WorkerLineMapper = (line: string, isRecord: boolean, options: unknown) => LokiEntryInput;

export interface WorkerSetup {
  client: Omit<LokiClientOptions, 'onError'>;
  mapperOptions: unknown;
  /** Float64 stats snapshot written by the worker, read by `stats()` (layout: STATS_LAYOUT). */
  stats: SharedArrayBuffer;
  /** Int32 control words, see CONTROL. */
  control: SharedArrayBuffer;
  /** The worker's messages to the main thread (a port of its own, so they can be read synchronously at exit). */
  port: MessagePort;
}

/** Int32 words of the control buffer. */
export const CONTROL = {
  /** Entries taken in by the worker (wraps at 2^32; differences are what matter). */
  consumedEntries: 0,
  /** UTF-16 units of entry text taken in (wraps likewise). */
  consumedChars: 1,
  /** Set to 1 by the worker when the exit delivery is done. */
  exitDone: 2,
  /** Snapshots the worker has completed; the latest is in copy `statsSeq & 1` (see writeStats). */
  statsSeq: 3,
  length: 4,
} as const;

/**
 * Entries logged in one tick (or up to a size), as text: one line per entry, `\n`-separated (JSON
 * never holds a raw newline). An entry is the adapter's own text for it or, at the indexes in
 * `records`, an already mapped record as JSON.
 */
export interface EntryChunk {
  type: 'entries';
  text: string;
  count: number;
  /** `performance.now()` at each log call; with `baseNs`/`baseMillis` the entry's epoch ns. */
  times: number[];
  baseNs: bigint;
  baseMillis: number;
  records: number[];
}

export interface FlushRequest {
  type: 'flush';
  id: number;
  timeoutMillis?: number;
  /** A flush at the natural end of the process: answer early when Loki fails, the exit delivery takes over. */
  atExit?: boolean;
}

export interface CloseRequest {
  type: 'close';
  id: number;
}

/**
 * The main thread is exiting and waits on CONTROL.exitDone: deliver by `deadline` (epoch ms), with
 * this thread's event loop (it still runs), then publish the final stats and raise the flag.
 */
export interface ExitRequest {
  type: 'exit';
  deadline: number;
}

/** The metrics integration listens: relay each push request's status and duration (worker-metrics.ts). */
export interface ObserveRequests {
  type: 'observe-requests';
}

export type ToWorker = EntryChunk | FlushRequest | CloseRequest | ExitRequest | ObserveRequests;

export interface ErrorReport {
  type: 'error';
  code: LokiErrorCode;
  message: string;
  status?: number;
  responseBody?: string;
  entries?: number;
  retryable: boolean;
}

export interface Answer {
  type: 'answer';
  id: number;
  result: FlushResult;
}

export type FromWorker = ErrorReport | Answer | MetricsFromWorker;

type NumericStat = {
  [K in keyof LokiClientStats]: LokiClientStats[K] extends number ? K : never;
}[keyof LokiClientStats];

export const NUMERIC_STATS = [
  'entriesPushed',
  'entriesSent',
  'entriesDropped',
  'entriesRetried',
  'entriesResent',
  'retries',
  'bufferedEntries',
  'bufferedBytes',
  'requests',
  'requestsFailed',
  'requestsPartiallyRejected',
  'bytesSent',
  'linesTruncated',
  'labelsMovedToMetadata',
  'metadataMovedToLine',
  'invalidTimestamps',
  'metadataNamesDropped',
  'diskEntriesWritten',
  'diskEntriesReplayed',
  'diskEntriesDropped',
  'diskCorruptRecords',
] as const satisfies readonly NumericStat[];

// Compile-time: a counter core adds must be added above, or the build fails here.
type Missing = Exclude<NumericStat, (typeof NUMERIC_STATS)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

/**
 * Float64 slots: the numeric stats, then the drop reasons, then `offline` (0/1), then `compression`
 * (its index in COMPRESSIONS).
 */
export const STATS_SLOTS = NUMERIC_STATS.length + DROP_REASONS.length + 2;

/**
 * Two copies of the snapshot (see writeStats), then one more Float64 slot, written by the main thread: the exit
 * deadline (epoch ms), 0 before the exit. The worker reads it while it takes in chunks that queued before the exit
 * request.
 */
export const EXIT_DEADLINE_SLOT = 2 * STATS_SLOTS;
export const SHARED_SLOTS = EXIT_DEADLINE_SLOT + 1;

/**
 * The worker (the one writer) fills the copy the latest snapshot is not in, then counts it complete: a reader
 * always has a whole snapshot to copy, even while the worker, at nice 10 on busy cores, is descheduled in the middle
 * of a write for many milliseconds. Without this, a stats() read during a write could see a chunk counted in one
 * field and not yet in the next: 256 entries missing from, or added to, an exit count under load (two CI runs).
 */
export function writeStats(view: Float64Array, control: Int32Array, stats: LokiClientStats): void {
  const seq = Atomics.load(control, CONTROL.statsSeq);
  let i = ((seq + 1) & 1) * STATS_SLOTS;
  for (const key of NUMERIC_STATS) view[i++] = stats[key];
  for (const reason of DROP_REASONS) view[i++] = stats.droppedByReason[reason];
  view[i++] = stats.offline ? 1 : 0;
  view[i] = COMPRESSIONS.indexOf(stats.compression);
  Atomics.store(control, CONTROL.statsSeq, (seq + 1) | 0);
}

/**
 * A whole copy of the worker's latest snapshot. The copy is torn only if the worker completed a write and began
 * the next one into the same copy while it was read: then the sequence has moved, and it is read again.
 */
export function snapshotStats(view: Float64Array, control: Int32Array): Float64Array {
  const copy = new Float64Array(STATS_SLOTS);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const seq = Atomics.load(control, CONTROL.statsSeq);
    const from = (seq & 1) * STATS_SLOTS;
    copy.set(view.subarray(from, from + STATS_SLOTS));
    if (Atomics.load(control, CONTROL.statsSeq) === seq) break;
  }
  return copy;
}

/** The stats a snapshot holds (see STATS_SLOTS). */
export function statsFromSlots(slots: Float64Array): LokiClientStats {
  const out = {} as Record<string, unknown>;
  let i = 0;
  for (const key of NUMERIC_STATS) out[key] = slots[i++];
  const dropped = {} as Record<DropReason, number>;
  for (const reason of DROP_REASONS) dropped[reason] = slots[i++]!;
  out.droppedByReason = dropped;
  out.offline = slots[i++] === 1;
  out.demotedLabels = {}; // not numbers: the worker posts them (worker-metrics.ts)
  // Before the worker's first snapshot the slot is 0: the first value, as good a guess as any until then.
  out.compression = COMPRESSIONS[slots[i]!] ?? COMPRESSIONS[0];
  return out as unknown as LokiClientStats;
}
