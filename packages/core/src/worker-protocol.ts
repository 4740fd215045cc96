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
  /** The stats snapshot's sequence: odd while the worker writes it (a seqlock, see writeStats). */
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
 * One more Float64 slot after the stats, written by the main thread: the exit deadline (epoch ms),
 * 0 before the exit. The worker reads it while it takes in chunks that queued before the exit request.
 */
export const EXIT_DEADLINE_SLOT = STATS_SLOTS;
export const SHARED_SLOTS = STATS_SLOTS + 1;

/**
 * The worker writes its snapshot between two increments of `statsSeq` (odd while writing); the main
 * thread copies it and keeps the copy only if the sequence was even and unchanged. Without this, a
 * stats() read while the worker wrote could see a chunk in `entriesPushed` but not yet in
 * `bufferedEntries`: 256 entries missing from the exit count under load (a CI run).
 */
export function writeStats(view: Float64Array, control: Int32Array, stats: LokiClientStats): void {
  Atomics.add(control, CONTROL.statsSeq, 1);
  let i = 0;
  for (const key of NUMERIC_STATS) view[i++] = stats[key];
  for (const reason of DROP_REASONS) view[i++] = stats.droppedByReason[reason];
  view[i++] = stats.offline ? 1 : 0;
  view[i] = COMPRESSIONS.indexOf(stats.compression);
  Atomics.add(control, CONTROL.statsSeq, 1);
  Atomics.notify(control, CONTROL.statsSeq);
}

// A write takes well under a microsecond; a writer descheduled mid-write is waited for, briefly. A
// worker stopped mid-write (terminate) leaves the sequence odd: the copy is then taken as it is.
const SPINS_BEFORE_WAIT = 64;
const WAITS = 4;
const WAIT_MILLIS = 1;

/** A consistent copy of the worker's snapshot (see writeStats). */
export function snapshotStats(view: Float64Array, control: Int32Array): Float64Array {
  const copy = new Float64Array(STATS_SLOTS);
  for (let attempt = 0; ; attempt++) {
    const before = Atomics.load(control, CONTROL.statsSeq);
    copy.set(view.subarray(0, STATS_SLOTS));
    if ((before & 1) === 0 && Atomics.load(control, CONTROL.statsSeq) === before) return copy;
    if (attempt >= SPINS_BEFORE_WAIT + WAITS) return copy;
    if (attempt >= SPINS_BEFORE_WAIT) Atomics.wait(control, CONTROL.statsSeq, before, WAIT_MILLIS);
  }
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
