import { closeRequested, isDraining, type Reachability } from './client-lifecycle.js';
import type { LokiClientImpl } from './client-impl.js';
import { report } from './client-report.js';
import { publishOffline } from './diagnostics.js';
import { entryCount } from './entry-count.js';
import { LokiError, type LokiErrorCode } from './errors.js';
import { countDrop, settleAcknowledged, settleDropped, type Batch } from './held-entries.js';
import { attempt, finish } from './batch-send.js';
import { mayHaveBeenStored, type SendResult } from './http-sender.js';
import type { PartialSuccess } from './otlp-response.js';
import type { ResolvedOptions } from './options.js';
import type { LokiEntry } from './record.js';
import { backoffDelayMillis } from './retry-policy.js';

/** What happens to an answer: acknowledged, partially rejected (400), dropped, retried, or given up. */

type RetryRules = Pick<
  ResolvedOptions,
  'retryMaxAttempts' | 'offlineBuffer' | 'retryInitialDelayMillis' | 'retryMaxDelayMillis'
>;

export type RetryDecision =
  { kind: 'retry'; delayMillis: number } | { kind: 'give-up'; reason: 'retries_exhausted' | 'exit_failed' };

/**
 * After a retryable failure, attempt number `attempts` of a batch: when it is tried again, or why it
 * is given up. Past its attempts it is kept (probed at the longest delay) while the offline buffer is
 * on, unless the client is closing. While draining at exit (`drainDeadline`, epoch ms), a try that
 * would come at or after the deadline is given up at once.
 */
export function retryDecision(
  attempts: number,
  retryAfterMillis: number | undefined,
  rules: RetryRules,
  closing: boolean,
  drainDeadline: number | undefined,
  now: number,
): RetryDecision {
  const exhausted = attempts >= rules.retryMaxAttempts;
  if (exhausted && (!rules.offlineBuffer || closing)) return { kind: 'give-up', reason: 'retries_exhausted' };
  const delayMillis = exhausted
    ? rules.retryMaxDelayMillis
    : (retryAfterMillis ?? backoffDelayMillis(attempts, rules.retryInitialDelayMillis, rules.retryMaxDelayMillis));
  if (drainDeadline !== undefined && now + delayMillis >= drainDeadline)
    return { kind: 'give-up', reason: 'exit_failed' };
  return { kind: 'retry', delayMillis };
}

export function handleResult(c: LokiClientImpl, batch: Batch, bodyBytes: number, result: SendResult): void {
  const n = batch.entries.length;
  const where = `${result.status !== undefined ? `HTTP ${result.status}` : 'no answer'} from ${c.sender.safeUrl}`;
  switch (result.outcome) {
    case 'success':
      c.counters.bytesSent += bodyBytes;
      if (c.reachability === 'offline') publishOffline(c.eventHandle, c.sender.safeUrl, false);
      c.reachability = 'up';
      finish(c, batch);
      // Before settling: settling may answer a flush, which must know of the loss.
      if (result.partial !== undefined) partialSuccess(c, batch.entries, result.status, result.partial, where);
      settleAcknowledged(c, batch.entries);
      return;
    case 'blocked': {
      const error = answerError('ERR_LOKI_INGESTION_BLOCKED', `Loki blocks ingestion (${where})`, result, n);
      refused(c, batch, 'ingestion_blocked', error);
      return;
    }
    case 'reject':
      if (result.status !== 400) {
        const error = answerError('ERR_LOKI_REJECTED', `Loki rejected a ${n}-entry batch (${where})`, result, n);
        refused(c, batch, 'rejected', error);
        return;
      }
      // A 400 is a partial accept: the valid entries were stored. Resending would not help.
      c.counters.requestsFailed++;
      finish(c, batch);
      c.counters.requestsPartiallyRejected++;
      c.entriesPartiallyRejected += n;
      c.flushes.partiallyRejected(batch.entries);
      settleAcknowledged(c, batch.entries);
      report(
        c,
        answerError('ERR_LOKI_PARTIAL_REJECT', `Loki rejected entries of a ${n}-entry batch (${where})`, result, n),
      );
      return;
    case 'retry':
      c.counters.requestsFailed++;
      if (mayHaveBeenStored(result)) batch.maybeStored = true;
      else if (c.disk !== undefined && batch.maybeStored !== true && batch.markedOnDisk === true) {
        c.disk.markSent(batch.entries, false); // certainly not in Loki: a replay is no re-send
        batch.markedOnDisk = false;
      }
      retryLater(c, batch, result, where);
  }
}

/** Loki refused the batch for good (blocked, or rejected whole): the request failed, its entries dropped, reported. */
function refused(c: LokiClientImpl, batch: Batch, reason: 'ingestion_blocked' | 'rejected', error: LokiError): void {
  c.counters.requestsFailed++;
  finish(c, batch);
  settleDropped(c, batch.entries, reason);
  report(c, error);
}

/** An error about Loki's answer: `text` then the answer itself, which it also carries with the status. */
function answerError(code: LokiErrorCode, text: string, result: SendResult, entries: number): LokiError {
  return new LokiError(code, `${text}: ${result.message}`, {
    status: result.status,
    responseBody: result.message,
    entries,
  });
}

/**
 * OTLP's partial success: the server stored all but `rejected` records and says not which. Resending would
 * not help; the rejected count is taken from sent (counted already, or settled next) into dropped
 * (`rejected`), and the request counts as partially rejected, as Loki's 400 does. Also the exit drain's.
 */
export function partialSuccess(
  c: LokiClientImpl,
  entries: readonly LokiEntry[],
  status: number | undefined,
  partial: PartialSuccess,
  where: string,
): void {
  const n = entries.length;
  const rejected = Math.min(partial.rejected, n);
  c.counters.requestsPartiallyRejected++;
  c.counters.entriesSent -= rejected;
  countDrop(c, 'rejected', rejected);
  c.entriesPartiallyRejected += n;
  c.flushes.partiallyRejected(entries);
  report(
    c,
    new LokiError(
      'ERR_LOKI_PARTIAL_REJECT',
      `the OTLP endpoint rejected ${rejected} of a ${n}-entry batch (${where}): ${partial.message}`,
      { status, responseBody: partial.message, entries: rejected },
    ),
  );
}

export function retryLater(c: LokiClientImpl, batch: Batch, result: SendResult, where: string): void {
  const { options } = c;
  const n = batch.entries.length;
  // A 429 is Loki up and throttling: retried, but not an outage (the burst keeps the whole buffer).
  const now: Reachability = result.status === 429 ? 'throttled' : 'offline';
  if (now !== c.reachability && (now === 'offline' || c.reachability === 'offline'))
    publishOffline(c.eventHandle, c.sender.safeUrl, now === 'offline');
  const wasUp = c.reachability === 'up';
  c.reachability = now;
  if (wasUp) {
    report(
      c,
      new LokiError('ERR_LOKI_UNAVAILABLE', `Loki push failed (${where}): ${result.message}; retrying`, {
        status: result.status,
        responseBody: result.message,
        entries: n,
        retryable: true,
        cause: result.cause,
      }),
    );
  }
  const next = retryDecision(
    batch.attempts,
    result.retryAfterMillis,
    options,
    closeRequested(c.state),
    isDraining(c.state) ? c.drainDeadline : undefined,
    Date.now(),
  );
  if (next.kind === 'give-up') {
    finish(c, batch);
    settleDropped(c, batch.entries, next.reason);
    if (next.reason === 'retries_exhausted') {
      const text = `gave up a ${n}-entry batch after ${batch.attempts} attempts (${where})`;
      report(c, answerError('ERR_LOKI_RETRIES_EXHAUSTED', text, result, n));
    } else {
      // Draining at exit: no further try fits before the deadline. Ending now lets the process go.
      c.exitFailures.push(`${entryCount(n)}: ${result.message}`);
    }
    return;
  }
  batch.state = 'waiting';
  batch.timer = setTimeout(() => void attempt(c, batch), next.delayMillis);
  batch.timer.unref();
}
