import { entryCount } from './entry-count.js';
import { LokiError } from './errors.js';
import type { DeliveryWorkerHost } from './worker-host.js';
import { exitStartedAt, isWorking } from './worker-lifecycle.js';
import { waitForWorkerExit } from './worker-exit-report.js';
import { CONTROL, EXIT_DEADLINE_SLOT } from './worker-protocol.js';

/** The delivery worker's exit duties on the main thread (it alone hears `beforeExit` and `exit`). */

/** Past the exit deadline, how long the main thread waits for the worker to publish its final count. */
const EXIT_ANSWER_SLACK_MILLIS = 200;

export function flushBeforeExit(h: DeliveryWorkerHost): void {
  if (h.state.kind !== 'running') return;
  h.post();
  const state = h.state; // (the post may have found the worker gone)
  if (state.kind !== 'running') return;
  const mark = h.counts.logged;
  // Tried already and nothing new since: let the process end (the exit delivery has one more go).
  if (mark === state.exit?.flushedAt || h.stats().bufferedEntries === 0) return;
  const startedAt = state.exit?.startedAt ?? Date.now();
  h.state = { kind: 'exit-flushing', startedAt, mark };
  void h.requests.request({ type: 'flush', timeoutMillis: h.closeTimeoutMillis, atExit: true }).then(() => {
    // Unless close() or the fallback came meanwhile: they have the last word.
    if (h.state.kind === 'exit-flushing') h.state = { kind: 'running', exit: { startedAt, flushedAt: mark } };
  });
}

/**
 * `process.exit()` (or the end after the beforeExit flush): the worker still runs while this
 * thread waits, so it delivers with its own event loop and raises a flag. The deadline is
 * `closeTimeoutMillis` from the start of the process end; this thread waits for the flag until
 * then plus a short slack, and then counts whatever the worker had not settled (it may still be
 * taking in the burst): nothing is left uncounted, and the report is one line with the total.
 */
export function waitAtExit(h: DeliveryWorkerHost): void {
  if (!isWorking(h.state)) return;
  h.post();
  if (h.stats().bufferedEntries === 0) return;
  const deadline = (exitStartedAt(h.state) ?? Date.now()) + h.closeTimeoutMillis;
  h.statsView[EXIT_DEADLINE_SLOT] = deadline;
  Atomics.store(h.control, CONTROL.exitDone, 0);
  h.send({ type: 'exit', deadline });
  // No tick runs any more: the worker's reports are taken at once, its exit-drain reports folded into one.
  const wait = waitForWorkerExit(h.control, h.port, deadline + EXIT_ANSWER_SLACK_MILLIS, (msg) => h.onMessage(msg));
  h.counts.freeze();
  const done = wait.done;
  let why = wait.why;
  if (!done) {
    h.counts.lostAtEnd ??= { reason: 'exit_failed', entries: h.stats().bufferedEntries };
    why = `the delivery worker had not finished by the deadline${why !== undefined ? ` (${why})` : ''}`;
  }
  const lost = h.stats().droppedByReason.exit_failed;
  if (lost > 0) {
    h.onError(
      new LokiError(
        'ERR_LOKI_EXIT_DRAIN',
        `at process exit, ${entryCount(lost)} could not be delivered by the exit deadline (closeTimeoutMillis ${h.closeTimeoutMillis} ms): ${why ?? 'deadline reached'}`,
        { entries: lost },
      ),
    );
  }
}
