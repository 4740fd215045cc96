import type { DropReason, FlushResult, LokiClientStats } from './client.js';

/** Answers and counters of the delivery worker's main-thread half (worker-host.ts). */

/**
 * A worker's answer plus `n` entries this thread dropped for `reason` before the request; `told` of
 * them were in an earlier answer already, so only the others make this one not ok.
 */
export function withDropped(result: FlushResult, reason: DropReason, n: number, told = 0): FlushResult {
  if (n <= 0) return result;
  return {
    ...result,
    ok: result.ok && n <= told,
    dropped: result.dropped + n,
    droppedByReason: { ...result.droppedByReason, [reason]: result.droppedByReason[reason] + n },
  };
}

/** An answer built from counters, for a request the worker can no longer answer. */
export function fromStats(stats: LokiClientStats, pending: number): FlushResult {
  return {
    ok: false,
    acknowledged: stats.entriesSent,
    dropped: stats.entriesDropped,
    droppedByReason: { ...stats.droppedByReason },
    partiallyRejected: 0,
    pending,
    timedOut: false,
  };
}

/** `worker`'s counters added into `own` (the in-thread fallback's stats after the worker stopped). */
export function addStats(own: LokiClientStats, worker: LokiClientStats): LokiClientStats {
  const sum = own as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(worker))
    if (typeof value === 'number') sum[key] = (sum[key] as number) + value;
  for (const reason of Object.keys(own.droppedByReason) as DropReason[]) {
    own.droppedByReason[reason] += worker.droppedByReason[reason];
  }
  return own;
}
