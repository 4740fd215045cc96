import type { LokiClientStats } from './client.js';
import { observeClientRequests, type LokiMetricsSource, type RequestListener } from './metrics-source.js';
import type { WorkerHostState } from './worker-lifecycle.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

export { METRICS_SOURCE, type LokiMetricsSource } from './metrics-source.js';

/** What the worker posts for the metrics integration (no message unless the main thread asked). */
export type MetricsFromWorker =
  | { type: 'request'; status: number | undefined; seconds: number }
  | { type: 'demoted'; labels: Record<string, number> };

/**
 * The main-thread half of the worker's metrics: the demoted labels it reported (the shared stats carry only
 * numbers) and its requests, relayed from the worker's diagnostics channels once a listener asks (one message
 * per push request, so a batch, never per entry).
 */
export class WorkerMetrics {
  demoted: Record<string, number> = {};
  private readonly listeners = new Set<RequestListener>();
  private asked = false;

  constructor(private readonly host: { send(message: ToWorker): void; readonly state: WorkerHostState }) {}

  /** True when the message was the metrics'. */
  onMessage(msg: FromWorker): boolean {
    if (msg.type === 'request') for (const listener of this.listeners) listener(msg.status, msg.seconds);
    else if (msg.type === 'demoted') this.demoted = msg.labels;
    else return false;
    return true;
  }

  source(stats: () => LokiClientStats): LokiMetricsSource {
    return {
      stats,
      observeRequests: (listener) => {
        this.listeners.add(listener);
        if (!this.asked) {
          this.asked = true;
          this.host.send({ type: 'observe-requests' });
        }
        // A worker that has stopped: its in-thread successor's requests (from now on).
        const state = this.host.state;
        const off = state.kind === 'in-thread' ? observeClientRequests(state.sink, listener) : () => {};
        return () => {
          this.listeners.delete(listener);
          off();
        };
      },
    };
  }
}

/** Worker half: relays the client's requests to the main thread from the first ask on. */
export function relayRequests(sink: object, post: (message: MetricsFromWorker) => void): () => void {
  return observeClientRequests(sink, (status, seconds) => post({ type: 'request', status, seconds }));
}
