import type { MessagePort, Worker } from 'node:worker_threads';
import type { FlushResult, LokiClientStats } from './client.js';
import type { LokiEntryInput } from './entry-input.js';
import { entryCount } from './entry-count.js';
import { LokiError } from './errors.js';
import { registerExitParticipant, type ExitParticipant } from './exit-hook.js';
import { DEFAULTS, type LokiClientOptions } from './options.js';
import { ChunkBuilder, mapEntry } from './worker-chunk.js';
import { WorkerCounters } from './worker-counters.js';
import { flushBeforeExit, waitAtExit } from './worker-exit.js';
import { carryOnInThread } from './worker-fallback.js';
import type { WorkerHostState } from './worker-lifecycle.js';
import type { FromWorker, ToWorker, WorkerLineMapper } from './worker-protocol.js';
import { closeWorker, flushWorker, PendingRequests } from './worker-requests.js';
import { spawnWorker } from './worker-spawn.js';
import { METRICS_SOURCE, WorkerMetrics, type LokiMetricsSource } from './worker-metrics.js';

export interface DeliveryWorkerOptions {
  /** The adapter's worker script: a file that calls runDeliveryWorker() with the same mapper. */
  file: string;
  client: LokiClientOptions;
  /** The adapter's mapper, also used in this thread should the worker stop. */
  mapLine: WorkerLineMapper;
  /** Passed to `mapLine` (structured-cloned into the worker). */
  mapperOptions: unknown;
}

// A chunk goes to the worker at the end of the tick, or sooner at this size, so that in a long
// synchronous burst the worker starts sending while the app is still logging.
const CHUNK_ENTRIES = 256;
const CHUNK_CHARS = 256 * 1024;

/**
 * The main-thread half of the delivery worker. Per call: the adapter's text of the entry, a
 * timestamp, an array push. Per tick (or 1000 entries): one postMessage. The
 * worker maps, batches, encodes and sends with @loki-sdk/core; this thread keeps the exit duties
 * (it alone hears `beforeExit` and `exit`) and the error path.
 *
 * Bounds: the worker's core client holds at most `bufferMaxEntries`/`bufferMaxBytes`; chunks posted
 * and not yet taken in are held to the same bounds (one UTF-16 unit of entry text for one byte,
 * about what the entry weighs in core), beyond which new chunks are dropped and counted
 * (`buffer_full`). So a worker that is merely slow to take in a burst drops no more than core would
 * in-thread.
 */
export class DeliveryWorkerHost implements ExitParticipant {
  // Fields without `private` are read by the exit duties (worker-exit.ts), the requests (worker-requests.ts) and
  // the fallback (worker-fallback.ts); the class is not the adapters' to poke.
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly control: Int32Array;
  readonly statsView: Float64Array;
  readonly closeTimeoutMillis: number;
  private readonly maxEntries: number;
  private readonly maxChars: number;
  readonly onError: (error: LokiError) => void;
  /** Kept for the in-thread fallback. */
  readonly clientOptions: LokiClientOptions;
  /** The adapter's mapper and its options, for the in-thread fallback. */
  readonly mapLine: WorkerLineMapper;
  readonly mapperOptions: unknown;

  readonly pending = new ChunkBuilder();
  private scheduled = false;
  readonly counts: WorkerCounters;
  readonly requests: PendingRequests;
  /** The lifecycle, one value (worker-lifecycle.ts). */
  state: WorkerHostState = { kind: 'running' };
  private readonly metrics = new WorkerMetrics(this);

  constructor({ file, client: options, mapLine, mapperOptions }: DeliveryWorkerOptions) {
    const { onError, ...clientOptions } = options;
    this.mapLine = mapLine;
    this.mapperOptions = mapperOptions;
    this.onError = onError ?? (() => {});
    this.clientOptions = options;
    this.closeTimeoutMillis = options.closeTimeoutMillis ?? DEFAULTS.closeTimeoutMillis;
    // A backstop for a stuck worker, not the buffer rule: a small bufferMaxEntries is applied by the
    // worker's client (oldest dropped); here only a backlog that size or 64 Ki entries, whichever is more.
    this.maxEntries = Math.max(options.bufferMaxEntries ?? DEFAULTS.bufferMaxEntries, 65_536);
    // One unit of the entry's JSON text for one byte of core's bound: the text is about the line core
    // will hold (halving it, for UTF-16's two bytes, dropped a third of a 1 000 000-entry burst).
    this.maxChars = options.bufferMaxBytes ?? DEFAULTS.bufferMaxBytes;

    ({
      worker: this.worker,
      port: this.port,
      control: this.control,
      statsView: this.statsView,
    } = spawnWorker(file, clientOptions, mapperOptions));
    this.counts = new WorkerCounters(this.control, this.statsView);
    this.requests = new PendingRequests(this.worker, this.port, (message) => this.send(message));
    // Neither keeps the app alive; a pending flush()/close() refs them while it waits.
    // (A 'message' listener refs its port: unref after adding it.)
    this.port.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', (error) => this.onWorkerGone(error));
    this.worker.on('exit', (code) => {
      // Also while closing: ended by close() after its answer (nothing to do), or before it (close() must answer).
      this.onWorkerGone(new Error(`the delivery worker exited with code ${code}`));
    });
    if (options.exitHook !== false) registerExitParticipant(this);
  }

  // ---- the data path -------------------------------------------------------------------------

  /**
   * One entry, as the adapter's text (`mapped`: an already mapped record as JSON). Never throws:
   * the text is the adapter's, taken at the time of the call.
   */
  pushText(text: string, mapped: boolean): void {
    const state = this.state;
    if (state.kind === 'in-thread') return state.sink.pushEntry(this.mapInThread(text, mapped));
    if (state.kind === 'closing') {
      if (this.counts.droppedClosed++ === 0)
        this.onError(new LokiError('ERR_LOKI_CLOSED', 'log after close(): entry dropped', { entries: 1 }));
      return;
    }
    this.pending.add(text, mapped);
    this.counts.logged++;
    if (this.pending.lines.length >= CHUNK_ENTRIES || this.pending.chars >= CHUNK_CHARS) this.post();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.postScheduled);
    }
  }

  private readonly postScheduled = (): void => {
    this.scheduled = false;
    this.post();
  };

  post(): void {
    const count = this.pending.lines.length;
    if (count === 0) return;
    const chars = this.pending.chars;
    const backlogEntries = this.counts.backlogEntries();
    if (backlogEntries >= this.maxEntries || this.counts.backlogChars() >= this.maxChars) {
      // The worker has a whole buffer's worth not yet taken in (stuck, or far behind): shed this
      // chunk, counted, rather than grow without bound. Otherwise the worker's own buffer applies
      // the bounds (oldest dropped), as in-thread.
      this.counts.droppedFull += count;
      this.onError(
        new LokiError(
          'ERR_LOKI_BUFFER_FULL',
          `${entryCount(count)} dropped: the delivery worker has ${entryCount(backlogEntries)} not yet taken in`,
          { entries: count },
        ),
      );
    } else {
      this.send(this.pending.chunk());
      this.counts.posted(count, chars);
    }
    this.pending.reset();
  }

  send(message: ToWorker): void {
    try {
      this.worker.postMessage(message);
    } catch (error) {
      this.onWorkerGone(error);
    }
  }

  onMessage(msg: FromWorker): void {
    if (msg.type === 'answer') this.requests.settle(msg.id, msg.result);
    else if (msg.type === 'error') {
      const { code, message, type: _type, ...details } = msg;
      this.onError(new LokiError(code, message, details));
    } else this.metrics.onMessage(msg);
  }

  /** The adapter's mapper, on this thread (the in-thread fallback). */
  mapInThread(text: string, mapped: boolean): LokiEntryInput {
    return mapEntry(text, mapped, this.mapLine, this.mapperOptions);
  }

  /** The worker died (it should not): see worker-fallback.ts. */
  onWorkerGone(error: unknown): void {
    carryOnInThread(this, error);
  }

  // ---- requests and counters (worker-requests.ts, worker-counters.ts) --------------------------

  flush(options?: { timeoutMillis?: number }): Promise<FlushResult> {
    return flushWorker(this, options);
  }

  close(): Promise<FlushResult> {
    return closeWorker(this);
  }

  stats(): LokiClientStats {
    const state = this.state;
    return this.counts.stats(state.kind === 'in-thread' ? state.sink : undefined, this.metrics.demoted);
  }

  /** For registerLokiMetrics: this thread's stats(), the worker's requests relayed. */
  [METRICS_SOURCE](): LokiMetricsSource {
    return this.metrics.source(() => this.stats());
  }

  // ---- process end (this thread hears it; the worker does the delivering: worker-exit.ts) ----

  onBeforeExit(): void {
    flushBeforeExit(this);
  }

  onExit(): void {
    waitAtExit(this);
  }
}

/** Starts the delivery worker: throws when no thread can be had (the caller then works in-thread). */
export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorkerHost {
  return new DeliveryWorkerHost(options);
}
