import { deliverAtExit, startClient } from './client.js';
import type { LokiClientImpl } from './client-impl.js';
import { bufferStateOf } from './client-stats.js';
import { closeRequested, isSpent, type ClientState } from './client-lifecycle.js';
import type { CloseOptions, FlushResult, LokiClientStats } from './client-types.js';
import type { LokiEntryInput } from './entry-input.js';
import type { LokiClientOptions } from './options.js';

/**
 * Where an entry sink is in its life, one value:
 * - `open`: entries are taken and sent (also while the process-exit delivery runs);
 * - `closing`: close() was called and its flush runs: an entry pushed now is dropped (counted `closed`);
 * - `ended`: nothing is sent any more (close() answered, or the exit delivery took everything).
 */
export type EntrySinkState = 'open' | 'closing' | 'ended';

/**
 * What a transport pushes its entries to (`@loki-sdk/core/adapter`): a core client seen from an adapter. Every
 * rule of `push()` applies to `pushEntry()`; the exit delivery is the client's own.
 */
export interface LokiEntrySink {
  /** Queue one entry. Synchronous; never throws. */
  pushEntry(input: LokiEntryInput): void;
  /**
   * As the client's flush. `unread: true` is for the adapter's own flush whose answer reaches no caller (pino's
   * stream flush): its answer tells no loss, so the next flush a caller reads still says `ok: false` for it.
   */
  flush(options?: { timeoutMillis?: number; unread?: boolean }): Promise<FlushResult>;
  /** Flush within `closeTimeoutMillis` (or less, see CloseOptions), then stop. Idempotent. Never rejects. */
  close(options?: CloseOptions): Promise<FlushResult>;
  stats(): LokiClientStats;
  /**
   * stats()'s buffer fields alone, for what an adapter reads per batch (pino's backpressure check). Building the
   * whole stats() that often made the objects that survived the worker's scavenges and grew its young generation.
   */
  bufferState(): SinkBufferState;
  readonly state: EntrySinkState;
}

/** The buffer as stats() tells it: `settled` = entriesSent + entriesDropped (what moves while Loki answers). */
export interface SinkBufferState {
  bufferedEntries: number;
  bufferedBytes: number;
  settled: number;
  offline: boolean;
}

/** How an adapter uses its sink (not client options: nothing a user sets). */
export interface EntrySinkSettings {
  /**
   * false: the adapter read the active span on the app's thread and put its fields (named by `traceContext`) on
   * the entry, so the sink, in a worker with no span, reads none; those names still say which fields are the
   * trace ids (with `protocol: 'otlp'`, the record's own). `traceContext: false` instead would lose the names.
   * Default true.
   */
  captureTrace?: boolean;
}

/** A sink over a new core client: the options are the client's, checked and resolved as createLokiClient does. */
export function createEntrySink(options: LokiClientOptions = {}, settings: EntrySinkSettings = {}): LokiEntrySink {
  return new EntrySink(startClient(options, settings.captureTrace ?? true));
}

/**
 * Core's delivery worker (worker-thread.ts), whose event loop runs while the main thread exits: the sink's exit
 * delivery by `deadline` (epoch ms), see deliverAtExit. Not for adapters: their sinks' exit is the client's own.
 */
export function deliverSinkAtExit(sink: LokiEntrySink, deadline: number): Promise<void> {
  return sink instanceof EntrySink ? deliverAtExit(sink.client, deadline) : Promise.resolve();
}

class EntrySink implements LokiEntrySink {
  constructor(readonly client: LokiClientImpl) {
    client.eventHandle = this; // diagnostics events (and metrics) name the sink the adapter holds
  }

  pushEntry(input: LokiEntryInput): void {
    this.client.pushEntry(input);
  }

  flush(options: { timeoutMillis?: number; unread?: boolean } = {}): Promise<FlushResult> {
    return this.client.flushWith({ timeoutMillis: options.timeoutMillis, unread: options.unread });
  }

  close(options?: CloseOptions): Promise<FlushResult> {
    return this.client.close(options);
  }

  stats(): LokiClientStats {
    return this.client.stats();
  }

  bufferState(): SinkBufferState {
    return bufferStateOf(this.client);
  }

  get state(): EntrySinkState {
    return sinkState(this.client.state);
  }
}

function sinkState(state: ClientState): EntrySinkState {
  if (isSpent(state)) return 'ended';
  return closeRequested(state) ? 'closing' : 'open';
}

/** Zero counters of the stats' exact shape, for an adapter whose options were unusable (no sink to ask). */
export function emptyStats(): LokiClientStats {
  // A sink that is never used gives the shape of stats() whatever core adds to it.
  const idle = createEntrySink({ exitHook: false, onError: () => {} });
  const zero = idle.stats();
  void idle.close();
  return zero;
}
