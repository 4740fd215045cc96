import { LokiClientImpl } from './client-impl.js';
import type { LokiClient } from './client-types.js';
import { CLIENT_OPTION_NAMES, resolveOptions, type LokiClientOptions } from './options.js';
import { unknownOptionsError } from './option-names.js';

/**
 * The engine's entry: createLokiClient() and the exit helpers for hosts. The client itself is a
 * pipeline of small files, see client-impl.ts.
 */

export { DROP_REASONS, COMPRESSIONS } from './client-types.js';
export type {
  CloseOptions,
  DropReason,
  LokiClientStats,
  Compression,
  FlushResult,
  LokiClient,
} from './client-types.js';

export function createLokiClient(options: LokiClientOptions = {}): LokiClient {
  return startClient(options);
}

/** A client from the options: resolved (throws what createLokiClient throws), a misspelt name reported. */
export function startClient(options: LokiClientOptions, captureTrace = true): LokiClientImpl {
  const resolved = resolveOptions(options);
  const client = new LokiClientImpl(resolved, captureTrace);
  // A misspelt option would silently fall back to its default: say so once, at start-up.
  const unknown = unknownOptionsError(options, CLIENT_OPTION_NAMES);
  if (unknown !== undefined) client.reportAtStart(unknown);
  return client;
}

/**
 * Delivery at exit for a host whose own event loop still runs while its process exits (a worker thread
 * whose main thread waits for it): sends asynchronously until `deadline` (epoch ms), waiting for the
 * answers of requests already on the wire (so nothing Loki acknowledged is sent twice); at the
 * deadline, what is left is counted (`exit_failed`) and reported. The client is spent afterwards.
 * Resolves by the deadline; never rejects.
 */
export function deliverAtExit(client: LokiClient, deadline: number): Promise<void> {
  return client instanceof LokiClientImpl ? client.drainUntil(deadline) : Promise.resolve();
}

/**
 * Counts (and reports) a record its caller could not even build, as push() counts one it cannot map
 * (`invalid_record`): for entry points that read the app's objects before push() (the SDK's fields).
 */
export function pushInvalid(client: LokiClient, error: unknown): void {
  if (client instanceof LokiClientImpl) client.pushInvalid(error);
}
