import { partialSuccess } from './answer-outcome.js';
import type { LokiClientImpl } from './client-impl.js';
import { isSpent } from './client-lifecycle.js';
import { report } from './client-report.js';
import { entryCount } from './entry-count.js';
import { LokiError } from './errors.js';
import { exitBodies, type ExitGroup } from './exit-bodies.js';
import { drainSync } from './exit-drain.js';
import { countDrop, settleDropped, takeAllUnsettled } from './held-entries.js';

/**
 * The exit path: the `beforeExit` flush, the synchronous send at `exit` (exit-drain.ts), and the
 * asynchronous drain of deliverAtExit(). Each ends the client (client-lifecycle.ts) but the first.
 */

export function flushBeforeExit(c: LokiClientImpl): void {
  if (c.state !== 'running' || c.counters.bufferedEntries === 0) return;
  c.exitStartedAt ??= Date.now();
  const left = c.exitStartedAt + c.options.closeTimeoutMillis - Date.now();
  if (left <= 0) return; // the deadline is spent: the exit listener counts and reports what is left
  c.to('before-exit');
  // Ref'd: this timer is what keeps the process alive while the flush runs (our sockets never do,
  // see http-sender.ts); once the flush is answered or the deadline comes, the process may end.
  const deadline = setTimeout(() => {
    // Do not let a slow Loki hold the process past the deadline; the exit listener then counts
    // what is left (it has no time left to send it again).
    c.exitCutOff = true;
    for (const batch of c.inFlight) batch.abort?.abort();
  }, left);
  void c.flushWith({ timeoutMillis: left, keepAlive: false }).then(() => {
    clearTimeout(deadline);
    c.to('exit-flush-done');
  });
}

/**
 * The `exit` listener: a synchronous send of everything held (exit-drain.ts), ending by the exit
 * deadline: `closeTimeoutMillis` from the start of the process end (the `beforeExit` flush, if
 * any, spent part of it), or `timeoutOverrideMillis` from now. Encoding takes time too: with a
 * backlog larger than the deadline can carry, only what a quarter of the time left can encode is
 * sent, the rest is counted at once. Requests on the wire with no answer yet are sent again (the
 * answer can no longer arrive: a possible duplicate is better than a silent loss), reusing their
 * body, and counted in `entriesResent` when delivered.
 */
export function deliverSync(c: LokiClientImpl, timeoutOverrideMillis?: number): void {
  if (isSpent(c.state)) return;
  if (c.counters.bufferedEntries === 0) {
    c.disk?.close(); // everything acknowledged: no segment left behind
    return;
  }
  const now = Date.now();
  const deadline =
    timeoutOverrideMillis !== undefined
      ? now + timeoutOverrideMillis
      : (c.exitStartedAt ?? now) + c.options.closeTimeoutMillis;
  const encodeUntil = now + Math.max(0, deadline - now) / 4;
  const groups = takeGroupsForExit(c);
  // Counted, not concatenated: each pass over a million entries costs (seconds on a loaded machine).
  let total = 0;
  for (const g of groups) total += g.entries.length;
  c.to('exit');
  // On disk first: should the drain fail or the machine die, the next process replays them.
  c.disk?.writePending();
  try {
    const { bodies, resent, bodyEntries } = exitBodies(groups, c.options, encodeUntil);
    const result = drainSync(c.options, bodies, deadline);
    const failed = total - result.sent;
    c.counters.entriesSent += result.sent;
    // An OTLP endpoint's partial success: its rejected records are dropped (`rejected`), as on the async path.
    for (let i = 0; i < bodies.length; i++) {
      const partial = result.partial[i];
      if (partial !== undefined)
        partialSuccess(c, bodyEntries[i]!, partial.status, partial, `HTTP ${partial.status} from ${c.sender.safeUrl}`);
    }
    for (let i = 0; i < bodies.length; i++)
      if (resent[i] === true && result.delivered[i] === true) c.counters.entriesResent += bodies[i]!.entries;
    countDrop(c, 'exit_failed', failed);
    // What Loki acknowledged leaves the disk; the rest stays for the next process to replay.
    if (c.disk !== undefined) {
      if (failed === 0) for (const g of groups) c.disk.settle(g.entries);
      else {
        for (let i = 0; i < bodies.length; i++) {
          if (result.delivered[i] === true) c.disk.settle(bodyEntries[i]!);
          // Sent without an answer: Loki may hold it, so its replay is counted as a re-send.
          else if (result.tried[i] === true) c.disk.markSent(bodyEntries[i]!, true);
        }
      }
    }
    if (failed > 0) {
      report(
        c,
        new LokiError(
          'ERR_LOKI_EXIT_DRAIN',
          `at process exit, ${entryCount(failed)} could not be delivered by the exit deadline: ${result.error ?? 'exit deadline reached'}`,
          { entries: failed },
        ),
      );
    }
  } catch (error) {
    countDrop(c, 'exit_failed', total);
    report(
      c,
      new LokiError('ERR_LOKI_EXIT_DRAIN', `at process exit, delivery failed: ${(error as Error).message}`, {
        entries: total,
        cause: error,
      }),
    );
  }
  // Everything held was taken: the buffer is empty.
  c.counters.bufferedEntries = 0;
  c.counters.bufferedBytes = 0;
  c.disk?.close();
  c.sender.destroy();
}

/**
 * Everything held, for the exit drain: each in-flight batch alone (its encoded body is reused,
 * and it is marked when its request is on the wire without an answer), then the waiting entries.
 */
export function takeGroupsForExit(c: LokiClientImpl): ExitGroup[] {
  const groups: ExitGroup[] = [];
  for (const batch of c.inFlight) {
    const unanswered = batch.state === 'sending' && batch.abort !== undefined;
    clearTimeout(batch.timer);
    batch.abort?.abort();
    if (batch.entries.length === 0) continue;
    groups.push({
      entries: batch.entries,
      ...(batch.encoded !== undefined ? { encoded: batch.encoded } : {}),
      unanswered,
    });
  }
  c.inFlight.clear();
  c.clock.emptied();
  const rest = c.pending.clear();
  if (rest.length > 0) groups.push({ entries: rest, unanswered: false });
  return groups;
}

/** See deliverAtExit(). */
export async function drainBy(c: LokiClientImpl, deadline: number): Promise<void> {
  if (isSpent(c.state)) return;
  c.drainDeadline = deadline;
  c.to('drain'); // every batch is due at once
  c.clock.stop();
  const left = deadline - Date.now();
  if (left > 0 && c.counters.bufferedEntries > 0) await c.flushWith({ timeoutMillis: left, keepAlive: false });
  if (isSpent(c.state)) return; // the exit listener ran meanwhile, or close() ended
  const undelivered = takeAllUnsettled(c);
  c.clock.emptied();
  c.to('exit');
  if (undelivered.length > 0) {
    c.disk?.writePending();
    settleDropped(c, undelivered, 'exit_failed');
    c.exitFailures.push(
      `${entryCount(undelivered.length)}: deadline reached (a request cut off there may have been stored)`,
    );
  }
  const failed = c.dropped.exit_failed;
  if (failed > 0) {
    report(
      c,
      new LokiError(
        'ERR_LOKI_EXIT_DRAIN',
        `at process exit, ${entryCount(failed)} could not be delivered by the exit deadline: ${c.exitFailures.slice(-3).join('; ')}`,
        { entries: failed },
      ),
    );
  }
  c.disk?.close();
  c.sender.destroy();
}
