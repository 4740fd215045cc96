import type { MessagePort, Worker } from 'node:worker_threads';
import type { FlushResult } from './client.js';
import { unregisterExitParticipant } from './exit-hook.js';
import { withDropped } from './worker-answers.js';
import type { DeliveryWorkerHost } from './worker-host.js';
import type { FlushRequest, ToWorker } from './worker-protocol.js';

/** A request without its id (given by `PendingRequests.request`). */
export type WorkerRequest = Omit<FlushRequest, 'id'> | { type: 'close' };

/** The requests the worker has not answered yet; while there is one, it refs the worker and its port. */
export class PendingRequests {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: FlushResult) => void>();

  constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly send: (message: ToWorker) => void,
  ) {}

  /** Sends the request; answered by the worker (settle()), or by the fallback should the worker stop. */
  request(message: WorkerRequest): Promise<FlushResult> {
    const id = this.nextId++;
    return new Promise<FlushResult>((resolve) => {
      this.waiting.set(id, resolve);
      if (this.waiting.size === 1) {
        this.worker.ref();
        this.port.ref();
      }
      this.send({ ...message, id });
    });
  }

  settle(id: number, result: FlushResult): void {
    const resolve = this.waiting.get(id);
    if (resolve === undefined) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) {
      this.worker.unref();
      this.port.unref();
    }
    resolve(result);
  }

  waitingAny(): boolean {
    return this.waiting.size > 0;
  }

  /** Every request still waiting gets `answer` (the worker can no longer give one). */
  settleAll(answer: FlushResult): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, answer);
  }
}

/** The worker's client answers for what it took in; entries this thread dropped are added (as stats() adds them). */
export function flushWorker(h: DeliveryWorkerHost, options?: { timeoutMillis?: number }): Promise<FlushResult> {
  const state = h.state;
  if (state.kind === 'in-thread') return state.sink.flush(options);
  const counts = h.counts;
  if (state.kind === 'closing') {
    const closed = counts.droppedClosed;
    return state.promise.then((result) => withDropped(result, 'closed', closed - state.closedBefore));
  }
  h.post();
  const full = counts.droppedFull;
  const closed = counts.droppedClosed;
  const told = counts.toldFull;
  return h.requests.request({ type: 'flush', timeoutMillis: options?.timeoutMillis }).then((result) => {
    counts.toldFull = Math.max(counts.toldFull, full);
    return withDropped(withDropped(result, 'buffer_full', full, told), 'closed', closed);
  });
}

/** close(): once; the worker's close answer, then the worker is ended. Never rejects. */
export function closeWorker(h: DeliveryWorkerHost): Promise<FlushResult> {
  const state = h.state;
  if (state.kind === 'closing') return state.promise;
  if (state.kind === 'in-thread') return state.sink.close();
  h.post();
  const full = h.counts.droppedFull;
  const closedBefore = h.counts.droppedClosed;
  const promise = endWorker(h, h.requests.request({ type: 'close' }), full, closedBefore);
  h.state = { kind: 'closing', promise, closedBefore };
  return promise;
}

async function endWorker(
  h: DeliveryWorkerHost,
  answer: Promise<FlushResult>,
  full: number,
  closedBefore: number,
): Promise<FlushResult> {
  const result = await answer;
  const told = withDropped(withDropped(result, 'buffer_full', full, h.counts.toldFull), 'closed', closedBefore);
  unregisterExitParticipant(h);
  h.counts.freeze();
  await h.worker.terminate().catch(() => {});
  return told;
}
