import { isFull } from './batch-schedule.js';
import { reportBufferFull } from './client-report.js';
import { publishDropped } from './diagnostics.js';
import type { DropReason } from './client-types.js';
import type { LokiClientImpl } from './client-impl.js';
import type { EncodedBody } from './push-encoder.js';
import { countUpTo } from './flush-waiters.js';
import type { LokiEntry } from './record.js';

/**
 * What is held and dropped: entries wait in the queue (`pending`) or in a batch (`inFlight`: on the
 * wire or in backoff) until they are settled, acknowledged or dropped with their reason. The buffer
 * bounds hold here, by dropping the oldest entry not on the wire.
 */

export interface Batch {
  entries: LokiEntry[];
  bytes: number;
  attempts: number;
  state: 'sending' | 'waiting';
  /** An attempt ended without saying Loki did not store it: the next one is a re-send. */
  maybeStored?: boolean;
  /** Its entries are marked sent in the disk buffer's ack files. */
  markedOnDisk?: boolean;
  encoded?: EncodedBody;
  timer?: NodeJS.Timeout;
  abort?: AbortController;
}

export function enqueue(c: LokiClientImpl, entry: LokiEntry): void {
  const { bufferMaxBytes } = c.options;
  // While Loki is unreachable the (smaller) offline bound holds; a burst with Loki up (or throttling) has the
  // whole buffer.
  const offline = c.reachability === 'offline';
  const bufferMaxEntries = offline ? c.options.offlineBufferMaxEntries : c.options.bufferMaxEntries;
  while (c.counters.bufferedEntries + 1 > bufferMaxEntries || c.counters.bufferedBytes + entry.bytes > bufferMaxBytes) {
    if (!dropOldest(c)) {
      countDrop(c, 'buffer_full', 1);
      reportBufferFull(c);
      return;
    }
  }
  entry.seq = ++c.seq;
  if (c.disk !== undefined && entry.segment === undefined) c.disk.append(entry);
  c.pending.push(entry);
  c.counters.bufferedEntries++;
  c.counters.bufferedBytes += entry.bytes;
  c.clock.queued(isFull(c.pending.length, c.pending.bytes, c.options));
}

/** Drops the oldest entry that is not on the wire right now. */
export function dropOldest(c: LokiClientImpl): boolean {
  for (const batch of c.inFlight) {
    if (batch.state === 'waiting' && batch.entries.length > 0) {
      const entry = batch.entries.shift()!;
      batch.bytes -= entry.bytes;
      delete batch.encoded; // re-encoded from the remaining entries, same timestamps
      settleDropped(c, [entry], 'buffer_full');
      if (batch.entries.length === 0) {
        clearTimeout(batch.timer);
        c.inFlight.delete(batch);
        c.clock.pumpSoon();
      }
      reportBufferFull(c);
      return true;
    }
  }
  const entry = c.pending.shift();
  if (entry === undefined) return false;
  if (c.pending.length === 0) c.clock.emptied();
  settleDropped(c, [entry], 'buffer_full');
  reportBufferFull(c);
  return true;
}

/** Entries leave the buffer; `keepOnDisk` leaves their records for the next process to replay. */
export function release(c: LokiClientImpl, entries: readonly LokiEntry[], keepOnDisk = false): void {
  let bytes = 0;
  for (const e of entries) bytes += e.bytes;
  if (c.disk !== undefined && !keepOnDisk) c.disk.settle(entries);
  c.counters.bufferedEntries -= entries.length;
  c.counters.bufferedBytes -= bytes;
}

export function settleAcknowledged(c: LokiClientImpl, entries: readonly LokiEntry[]): void {
  release(c, entries);
  c.counters.entriesSent += entries.length;
  if (!c.flushes.waiting) return;
  c.flushes.acknowledged(entries);
  c.flushes.check(minUnsettledSeq(c));
}

export function settleDropped(c: LokiClientImpl, entries: readonly LokiEntry[], reason: DropReason): void {
  // Undelivered at close or exit: on disk they survive for the next process.
  release(c, entries, reason === 'shutdown_timeout' || reason === 'exit_failed');
  countDrop(c, reason, entries.length);
  if (!c.flushes.waiting) return;
  c.flushes.dropped(entries, reason);
  c.flushes.check(minUnsettledSeq(c));
}

export function countDrop(c: LokiClientImpl, reason: DropReason, n: number): void {
  c.dropped[reason] += n;
  publishDropped(c.eventHandle, reason, n);
}

export function minUnsettledSeq(c: LokiClientImpl): number {
  let min = c.pending.firstSeq() ?? Infinity;
  for (const batch of c.inFlight) {
    const first = batch.entries[0];
    if (first !== undefined && first.seq < min) min = first.seq;
  }
  return min;
}

export function unsettledUpTo(c: LokiClientImpl, target: number): number {
  let n = 0;
  for (const batch of c.inFlight) n += countUpTo(batch.entries, target);
  return n + c.pending.countUpTo(target);
}

/** Empties the buffer: in-flight batches (aborted) then waiting entries, oldest first. */
export function takeAllUnsettled(c: LokiClientImpl): LokiEntry[] {
  // concat, not push(...spread): the buffer may hold a million entries, past the argument limit.
  let left: LokiEntry[] = [];
  for (const batch of c.inFlight) {
    clearTimeout(batch.timer);
    batch.abort?.abort();
    left = left.concat(batch.entries);
  }
  c.inFlight.clear();
  return left.concat(c.pending.clear());
}
