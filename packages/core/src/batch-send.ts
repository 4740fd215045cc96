import { handleResult } from './answer-outcome.js';
import { publishBatch, requestsObserved } from './diagnostics.js';
import { fitsInBatch, isBatchDue, isFull } from './batch-schedule.js';
import type { LokiClientImpl } from './client-impl.js';
import { everyBatchDue, isSpent } from './client-lifecycle.js';
import { report } from './client-report.js';
import { LokiError } from './errors.js';
import { settleDropped, type Batch } from './held-entries.js';
import type { SendResult } from './http-sender.js';
import { encodePushBody } from './push-encoder.js';

/** Batch and send: what the next request takes, its body (encoded ahead when it can be), its attempts. */

export function pump(c: LokiClientImpl): void {
  if (isSpent(c.state)) return;
  while (c.inFlight.size < c.options.maxRequestsInFlight) {
    const batch = takeBatch(c);
    if (batch === undefined) break;
    c.inFlight.add(batch);
    void attempt(c, batch);
  }
  if (c.inFlight.size >= c.options.maxRequestsInFlight) schedulePrepare(c);
  c.clock.rearm(c.pending.length > 0 && c.inFlight.size < c.options.maxRequestsInFlight);
}

/** The next entry's byte count, as fitsInBatch() reads it (one object, not one per entry). */
const nextEntry = { bytes: 0 };

/** How many entries from the front of the queue the next batch takes, and their bytes. */
export function nextBatchSize(c: LokiClientImpl): { count: number; bytes: number } {
  const { pending, options } = c;
  let count = 0;
  let bytes = 0;
  for (let next = pending.bytesAt(0); next !== undefined; next = pending.bytesAt(count)) {
    nextEntry.bytes = next;
    if (!fitsInBatch(count, bytes, nextEntry, options)) break;
    count++;
    bytes += next;
  }
  return { count, bytes };
}

export function takeBatch(c: LokiClientImpl): Batch | undefined {
  const { pending, options } = c;
  const hurry = c.flushes.waiting || everyBatchDue(c.state);
  if (!isBatchDue(pending.length, pending.bytes, c.clock.oldestSince, hurry, Date.now(), options)) return undefined;
  const { count, bytes } = nextBatchSize(c);
  const entries = pending.take(count);
  if (pending.length === 0) c.clock.emptied();
  const batch: Batch = { entries, bytes, attempts: 0, state: 'sending' };
  const prepared = c.prepared;
  c.prepared = undefined;
  // Entries only leave the queue from the front and join at the back, and seqs are never reused, so the
  // same first and last seq and the same count mean the very entries that were encoded.
  if (
    prepared !== undefined &&
    prepared.count === entries.length &&
    prepared.first === entries[0]!.seq &&
    prepared.last === entries[entries.length - 1]!.seq
  ) {
    batch.encoded = prepared.encoded;
  }
  return batch;
}

/**
 * Encodes the next full batch while the request before it is on the wire, so that it goes out as
 * soon as the slot frees (encoding 5000 entries takes ~5-10 ms; with one request in flight that
 * time was added to every round trip). At most once per request started, so a queue whose front
 * keeps changing (oldest dropped while the buffer is full) cannot make it encode over and over;
 * not during an outage.
 */
export function schedulePrepare(c: LokiClientImpl): void {
  if (c.prepareScheduled || c.reachability !== 'up' || c.preparedAtRequest === c.counters.requests) return;
  const { pending, options } = c;
  if (!isFull(pending.length, pending.bytes, options)) return; // not full yet: may still grow
  c.prepareScheduled = true;
  // setImmediate: the request just started writes its body first.
  setImmediate(() => {
    c.prepareScheduled = false;
    if (isSpent(c.state) || c.reachability !== 'up' || c.inFlight.size < c.options.maxRequestsInFlight) return;
    c.preparedAtRequest = c.counters.requests;
    const entries = c.pending.front(nextBatchSize(c).count);
    if (entries.length === 0) return;
    try {
      c.prepared = {
        first: entries[0]!.seq,
        last: entries[entries.length - 1]!.seq,
        count: entries.length,
        encoded: encodePushBody(entries, c.options),
      };
    } catch {
      c.prepared = undefined; // attempt() encodes again and reports the error there
    }
  });
}

export async function attempt(c: LokiClientImpl, batch: Batch): Promise<void> {
  batch.state = 'sending';
  delete batch.timer;
  batch.attempts++;
  if (batch.encoded === undefined) {
    try {
      batch.encoded = encodePushBody(batch.entries, c.options);
    } catch (error) {
      finish(c, batch);
      settleDropped(c, batch.entries, 'invalid_record');
      report(
        c,
        new LokiError('ERR_LOKI_INVALID_RECORD', `batch could not be encoded: ${(error as Error).message}`, {
          entries: batch.entries.length,
          cause: error,
        }),
      );
      return;
    }
  }
  const { body, headers } = batch.encoded;
  const abort = new AbortController();
  batch.abort = abort;
  c.counters.requests++;
  if (batch.attempts > 1) {
    c.counters.retries++;
    c.counters.entriesRetried += batch.entries.length;
  }
  if (batch.maybeStored === true) c.counters.entriesResent += batch.entries.length;
  if (c.disk !== undefined) {
    if (batch.attempts === 1) for (const e of batch.entries) if (e.sentBefore === true) c.counters.entriesResent++;
    if (batch.markedOnDisk !== true) {
      c.disk.markSent(batch.entries, true);
      batch.markedOnDisk = true;
    }
  }
  let result: SendResult;
  const started = requestsObserved() ? performance.now() : undefined;
  try {
    result = await c.sender.send(body, headers, abort.signal);
  } catch (error) {
    result = { outcome: 'retry', message: String(error), cause: error };
  }
  delete batch.abort;
  if (isSpent(c.state) || !c.inFlight.has(batch)) return; // given up by close() meanwhile
  if (c.exitCutOff && abort.signal.aborted) {
    // Cut off by the exit deadline, not a failure of Loki's: no report. The exit listener counts
    // it; should the process go on instead, it is tried again (a possible re-send).
    c.exitCutOff = false;
    batch.maybeStored = true;
    batch.state = 'waiting';
    batch.timer = setTimeout(() => void attempt(c, batch), c.options.retryInitialDelayMillis);
    batch.timer.unref();
    return;
  }
  if (started !== undefined) {
    publishBatch(
      () => ({
        client: c.eventHandle,
        url: c.sender.safeUrl,
        entries: batch.entries.length,
        bytes: body.length,
        attempt: batch.attempts,
        status: result.status,
        outcome: result.outcome,
        durationMillis: performance.now() - started,
      }),
      result.outcome === 'success',
    );
  }
  handleResult(c, batch, body.length, result);
}

export function finish(c: LokiClientImpl, batch: Batch): void {
  clearTimeout(batch.timer);
  c.inFlight.delete(batch);
  c.clock.pumpSoon();
}
