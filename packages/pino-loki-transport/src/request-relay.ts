import { observeClientRequests, type LokiEntrySink } from '@loki-sdk/core/adapter';
import type { LokiRequestEvent } from './events.js';
import { postEvent } from './worker-link.js';

const relaying = new WeakSet<LokiEntrySink>();

/**
 * Worker side of the request histogram: each push request's end becomes a `lokiRequest` event on the
 * main thread's stream, from the first ask on (asked again at every scrape: an ask sent before this worker
 * listened is lost). One event per request, a batch of entries, never per line.
 */
export function relayRequests(client: LokiEntrySink): void {
  if (relaying.has(client)) return;
  relaying.add(client);
  observeClientRequests(client, (status, seconds) => {
    const event: LokiRequestEvent = { status, seconds };
    postEvent('lokiRequest', event);
  });
}
