/**
 * What state the client is in: one value, changed only by `nextState()`.
 *
 * - `running`: pushes are taken, batches go when due.
 * - `exit-flushing`: the `beforeExit` flush runs; every batch is due. Back to `running` when it answers
 *   (the app may go on: a `beforeExit` listener of its own can schedule more work).
 * - `closing`: close() was called and its flush runs: pushes are dropped (`closed`), every batch is due,
 *   a batch past its attempts is given up even with the offline buffer on.
 * - `draining`: deliverAtExit() runs: every batch is due, a retry that would come after its deadline is
 *   given up at once. `draining-closing`: the same, close() having been called before or during it.
 * - `closed` / `exited`: spent (nothing is sent any more; flush answers at once). `closed` once close()
 *   was called, `exited` when only the exit path ended the client (it still reports `closed: false`
 *   and takes pushes into its buffer, as before).
 */
export type ClientState =
  'running' | 'exit-flushing' | 'closing' | 'draining' | 'draining-closing' | 'closed' | 'exited';

/**
 * - `close`: close() called. `closed`: close()'s flush answered and the client let go of its resources.
 * - `before-exit`: the `beforeExit` flush starts; `exit-flush-done`: it answered.
 * - `drain`: deliverAtExit() starts. `exit`: the exit path (exit listener or the drain's end) took everything.
 */
export type LifecycleEvent = 'close' | 'closed' | 'before-exit' | 'exit-flush-done' | 'drain' | 'exit';

export function nextState(state: ClientState, event: LifecycleEvent): ClientState {
  switch (event) {
    case 'close':
      if (state === 'running' || state === 'exit-flushing') return 'closing';
      if (state === 'draining') return 'draining-closing';
      if (state === 'exited') return 'closed';
      return state;
    case 'closed':
      return 'closed';
    case 'before-exit':
      return state === 'running' ? 'exit-flushing' : state;
    case 'exit-flush-done':
      return state === 'exit-flushing' ? 'running' : state;
    case 'drain':
      if (state === 'running' || state === 'exit-flushing') return 'draining';
      if (state === 'closing') return 'draining-closing';
      return state;
    case 'exit':
      return closeRequested(state) ? 'closed' : 'exited';
  }
}

/** close() was called: pushes are dropped (`closed`) and `client.closed` is true. */
export function closeRequested(state: ClientState): boolean {
  return state === 'closing' || state === 'draining-closing' || state === 'closed';
}

/** Nothing is sent any more: the client's resources are let go, flush() answers at once. */
export function isSpent(state: ClientState): boolean {
  return state === 'closed' || state === 'exited';
}

/** The client is ending: every batch goes now, whatever its size or age. */
export function everyBatchDue(state: ClientState): boolean {
  return state !== 'running';
}

/** deliverAtExit() runs: a retry that would come after its deadline is given up at once. */
export function isDraining(state: ClientState): boolean {
  return state === 'draining' || state === 'draining-closing';
}

/**
 * How Loki answered the last try: `up` (or not tried yet); `throttled`, a 429 (Loki up, the batch retried, a
 * burst keeps the whole buffer); `offline`, no answer, a 5xx or 408 (the outage bound `offlineBufferMaxEntries`
 * holds, `stats().offline` is true).
 */
export type Reachability = 'up' | 'throttled' | 'offline';
