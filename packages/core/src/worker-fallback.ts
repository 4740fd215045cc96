import { createLokiClient } from './client.js';
import { entryCount } from './entry-count.js';
import { LokiError } from './errors.js';
import { unregisterExitParticipant } from './exit-hook.js';
import { fromStats } from './worker-answers.js';
import type { DeliveryWorkerHost } from './worker-host.js';
import { isWorking } from './worker-lifecycle.js';

/**
 * The worker died (it should not): entries it had not taken in are lost and counted; an in-thread
 * client carries on.
 */
export function carryOnInThread(h: DeliveryWorkerHost, error: unknown): void {
  if (!isWorking(h.state)) return;
  h.counts.freeze();
  const lost = h.counts.inTransit(h.counts.workerStats()) + h.pending.lines.length;
  h.counts.droppedClosed += lost;
  h.pending.reset();
  unregisterExitParticipant(h);
  try {
    h.state = { kind: 'in-thread', client: createLokiClient(h.clientOptions) };
  } catch (fallbackError) {
    // Inside the worker's 'error' listener a throw is an uncaught exception: never let one out.
    // The options were checked at construction, so this is unexpected: report it, then drop and count.
    h.state = { kind: 'in-thread', client: createLokiClient({ ...h.clientOptions, diskBuffer: undefined }) };
    h.onError(
      new LokiError(
        'ERR_LOKI_UNAVAILABLE',
        `the in-thread fallback could not start as configured (${(fallbackError as Error)?.message ?? String(fallbackError)}); it runs without its disk buffer`,
        { cause: fallbackError },
      ),
    );
  }
  h.onError(
    new LokiError(
      'ERR_LOKI_UNAVAILABLE',
      `the delivery worker stopped (${(error as Error)?.message ?? String(error)}); ${entryCount(lost)} lost, logging goes on in this thread`,
      {
        entries: lost,
        cause: error,
      },
    ),
  );
  const stats = h.stats();
  const answer = fromStats(stats, stats.bufferedEntries);
  h.requests.settleAll(answer);
}
