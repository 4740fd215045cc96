import { createLokiClient } from './client.js';
import { entryCount } from './entry-count.js';
import { LokiError } from './errors.js';
import { unregisterExitParticipant } from './exit-hook.js';
import { fromStats } from './worker-answers.js';
import type { DeliveryWorkerHost } from './worker-host.js';

/**
 * The worker died (it should not): entries it had not taken in are lost and counted; an in-thread
 * client carries on.
 */
export function carryOnInThread(h: DeliveryWorkerHost, error: unknown): void {
  if (h.fallback !== undefined || h.closePromise !== undefined) return;
  h.freezeWorkerStats();
  const lost = h.inTransit(h.workerStats()) + h.pending.lines.length;
  h.droppedClosed += lost;
  h.pending.reset();
  unregisterExitParticipant(h);
  try {
    h.fallback = createLokiClient(h.clientOptions);
  } catch (fallbackError) {
    // Inside the worker's 'error' listener a throw is an uncaught exception: never let one out.
    // The options were checked at construction, so this is unexpected: report it, then drop and count.
    h.fallback = createLokiClient({ ...h.clientOptions, diskBuffer: undefined });
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
  for (const id of [...h.waiting.keys()]) h.settle(id, answer);
}
