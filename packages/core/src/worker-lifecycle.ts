import type { FlushResult } from './client.js';
import type { LokiEntrySink } from './entry-sink.js';

/**
 * Where the delivery worker's main-thread half (worker-host.ts) is in its life: one value, `host.state`.
 *
 * - `running`: entries go to the worker. `exit`, once a `beforeExit` flush has answered: when the first one
 *   began (the exit deadline counts from it) and how many entries were logged when the latest began (nothing
 *   logged since: no new try, the process may end).
 * - `exit-flushing`: the `beforeExit` flush runs (begun at `startedAt`, `mark` entries logged then); back to
 *   `running` when it answers (the app may go on: a `beforeExit` listener of its own can schedule more work).
 * - `closing`: close() was called: an entry logged now is dropped (`closed`); `promise` is close()'s answer (the
 *   worker's, then the worker is ended), which counts the `closedBefore` entries dropped before close().
 * - `in-thread`: the worker stopped unexpectedly (worker-fallback.ts): `sink`, an entry sink on this thread, does
 *   everything from then on, close() included.
 *
 * Changed by close() (worker-requests.ts), the `beforeExit` flush (worker-exit.ts) and the fallback.
 */
export type WorkerHostState =
  | { kind: 'running'; exit?: { startedAt: number; flushedAt: number } }
  | { kind: 'exit-flushing'; startedAt: number; mark: number }
  | { kind: 'closing'; promise: Promise<FlushResult>; closedBefore: number }
  | { kind: 'in-thread'; sink: LokiEntrySink };

/** Entries still go to the worker, and the exit duties are the host's. */
export function isWorking(
  state: WorkerHostState,
): state is Extract<WorkerHostState, { kind: 'running' | 'exit-flushing' }> {
  return state.kind === 'running' || state.kind === 'exit-flushing';
}

/** When the process end began (the first `beforeExit` flush), if it has. */
export function exitStartedAt(state: WorkerHostState): number | undefined {
  if (state.kind === 'exit-flushing') return state.startedAt;
  return state.kind === 'running' ? state.exit?.startedAt : undefined;
}
