import { createEntrySink } from './entry-sink.js';
import { entryCount } from './entry-count.js';
import { LokiError } from './errors.js';
import { unregisterExitParticipant } from './exit-hook.js';
import { fromStats } from './worker-answers.js';
import type { DeliveryWorkerHost } from './worker-host.js';
import { pushChunk } from './worker-chunk.js';
import { isWorking } from './worker-lifecycle.js';

/**
 * The worker died (it should not): entries it had not taken in are lost and counted; an in-thread
 * client carries on.
 */
export function carryOnInThread(h: DeliveryWorkerHost, error: unknown): void {
  if (h.state.kind === 'closing') return endedWhileClosing(h, error);
  if (!isWorking(h.state)) return;
  h.counts.freeze();
  // Posted and not taken in: gone with the worker. Not yet posted: still here, the in-thread sink takes them.
  const unposted = h.pending.chunk();
  h.pending.reset();
  const lost = h.counts.inTransit(h.counts.workerStats()) - unposted.count;
  h.counts.droppedClosed += lost;
  unregisterExitParticipant(h);
  try {
    h.state = { kind: 'in-thread', sink: createEntrySink(h.clientOptions) };
  } catch (fallbackError) {
    // Inside the worker's 'error' listener a throw is an uncaught exception: never let one out.
    // The options were checked at construction, so this is unexpected: report it, then drop and count.
    h.state = { kind: 'in-thread', sink: createEntrySink({ ...h.clientOptions, diskBuffer: undefined }) };
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
      `the delivery worker stopped (${describe(error)}); ${entryCount(lost)} lost, logging goes on in this thread`,
      {
        entries: lost,
        cause: error,
      },
    ),
  );
  if (h.state.kind === 'in-thread') {
    pushChunk(unposted, h.mapLine, h.mapperOptions, h.state.sink);
  }
  const stats = h.stats();
  const answer = fromStats(stats, stats.bufferedEntries);
  h.requests.settleAll(answer);
}

/**
 * The worker stopped before it answered close(): nothing more can be sent. close() answers from the last
 * counters instead of waiting for ever; what the worker held is counted `shutdown_timeout` and reported.
 */
function endedWhileClosing(h: DeliveryWorkerHost, error: unknown): void {
  if (!h.requests.waitingAny()) return; // the answer came: this is the worker ending after close()
  h.counts.freeze();
  const lost = h.stats().bufferedEntries;
  h.counts.lostAtEnd ??= { reason: 'shutdown_timeout', entries: lost };
  h.onError(
    new LokiError(
      'ERR_LOKI_UNAVAILABLE',
      `the delivery worker stopped during close() (${describe(error)}); ${entryCount(lost)} not delivered`,
      { entries: lost, cause: error },
    ),
  );
  const stats = h.stats();
  h.requests.settleAll(fromStats(stats, stats.bufferedEntries));
}

function describe(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}
