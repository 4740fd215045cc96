import type { SnappyImplementation } from './snappy-compress.js';
import type { LokiRecord } from './record.js';

/**
 * For an adapter that holds entries of its own before pushing them (pino's worker reads lines ahead of
 * mapping them). The first close() call's options hold.
 */
export interface CloseOptions {
  /** What is left of the process's deadline: close() ends by then, and never later than `closeTimeoutMillis`. */
  timeoutMillis?: number;
  /** Entries the adapter took in but could not push by the deadline: counted `shutdown_timeout` and told in
   * close()'s one report, with what core gives up. */
  notPushed?: number;
}

/** The client's public contract: what push, flush, close and stats promise. */

export type DropReason =
  | 'buffer_full'
  | 'line_too_long'
  | 'rejected'
  | 'retries_exhausted'
  | 'ingestion_blocked'
  | 'closed'
  | 'shutdown_timeout'
  | 'invalid_record'
  | 'exit_failed';

/** Every drop reason, in the order `stats().droppedByReason` lists them. */
export const DROP_REASONS: readonly DropReason[] = [
  'buffer_full',
  'line_too_long',
  'rejected',
  'retries_exhausted',
  'ingestion_blocked',
  'closed',
  'shutdown_timeout',
  'invalid_record',
  'exit_failed',
];

/** A count of 0 for every drop reason. */
export function zeroDropCounts(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}

export interface LokiClientStats {
  /** Records given to push(). */
  entriesPushed: number;
  /** Entries Loki acknowledged (2xx). Includes entries of a 400 partial accept, see `requestsPartiallyRejected`. */
  entriesSent: number;
  /** Entries dropped, all reasons. */
  entriesDropped: number;
  droppedByReason: Record<DropReason, number>;
  /** Entries re-sent by retries (an entry retried twice counts twice). */
  entriesRetried: number;
  /**
   * Entries sent again while an earlier request holding them may have reached Loki, so Loki may hold
   * (and `count_over_time` count) them twice: retries after a lost answer or a 5xx, disk replays of
   * entries the crashed process had sent without getting an answer, and a request still on the wire at
   * `process.exit()` that the exit drain sends again. An entry re-sent twice counts twice.
   */
  entriesResent: number;
  /** Retry attempts (requests after the first of a batch). */
  retries: number;
  /** Entries held now: waiting, in flight or in backoff. */
  bufferedEntries: number;
  bufferedBytes: number;
  /** HTTP requests started. */
  requests: number;
  /** Requests that failed (network error, timeout, or non-2xx). */
  requestsFailed: number;
  /** 400 answers: Loki stored the valid entries and rejected the rest (reported through onError). */
  requestsPartiallyRejected: number;
  /** Bytes of request bodies Loki acknowledged (on the wire, after compression). */
  bytesSent: number;
  linesTruncated: number;
  labelsMovedToMetadata: number;
  metadataMovedToLine: number;
  /** Record times that were not a plausible time (core README "Timestamps"): the entry got now instead. */
  invalidTimestamps: number;
  /** Structured-metadata pairs dropped for an empty name (core README "Structured-metadata names"). */
  metadataNamesDropped: number;
  /** Label names moved to structured metadata by the cardinality guard, with their distinct values then. */
  demotedLabels: Record<string, number>;
  /** True while Loki is unreachable (no answer, 5xx, 408; not a 429) and entries wait in the offline buffer. */
  offline: boolean;
  /** Disk buffer (when on): records written, replayed from earlier processes, deleted over maxBytes, unreadable. */
  diskEntriesWritten: number;
  diskEntriesReplayed: number;
  diskEntriesDropped: number;
  diskCorruptRecords: number;
  /**
   * How request bodies are compressed: `snappy-native` or `snappy-js` (protobuf; the pure-JS encoder
   * when the optional native `snappy` binding cannot load), `gzip` (json-gzip) or `none` (json).
   */
  compression: Compression;
}

export type Compression = SnappyImplementation | 'gzip' | 'none';

/** Every `stats().compression` value (a transport passing stats as numbers sends the index). */
export const COMPRESSIONS: readonly Compression[] = ['snappy-native', 'snappy-js', 'gzip', 'none'];

/**
 * What happened to every entry pushed before the flush (since the client started), whenever it was
 * settled, also before the call: `acknowledged + dropped + pending` is the number of entries pushed
 * before it, and the counts are `stats()`'s as of the answer (less entries pushed after the call).
 */
export interface FlushResult {
  /**
   * Nothing went wrong since the previous flush (or close) answered, the first one: since the client
   * started. No entry dropped and none in a 400 answer since then, none pending now. A loss makes one
   * answer not ok (every flush already waiting when it is told), not every answer after it; the
   * counts below stay cumulative, so two answers' difference is what happened between them.
   */
  ok: boolean;
  /** Entries acknowledged (2xx), including those of 400 partial accepts (`partiallyRejected`). */
  acknowledged: number;
  /** Entries given up, all reasons (`stats().entriesDropped`). */
  dropped: number;
  /** `dropped` by reason (`stats().droppedByReason`). */
  droppedByReason: Record<DropReason, number>;
  /** Entries (among `acknowledged`) in requests Loki answered 400: the valid ones were stored, the others rejected. */
  partiallyRejected: number;
  /** Entries still unacknowledged when the deadline came (0 unless `timedOut`). */
  pending: number;
  timedOut: boolean;
}

export interface LokiClient {
  /** Queue one record. Synchronous; never throws. */
  push(record: LokiRecord): void;
  /** Resolves when everything pushed before the call is acknowledged or given up, or at the deadline. Never rejects. */
  flush(options?: { timeoutMillis?: number }): Promise<FlushResult>;
  /** Flush within `closeTimeoutMillis`, then stop. Idempotent. Never rejects. */
  close(): Promise<FlushResult>;
  stats(): LokiClientStats;
  readonly closed: boolean;
}
