import type { MessagePort, Worker } from 'node:worker_threads';
import { type FlushResult, type LokiClient, type LokiClientStats } from './client.js';
import { entryCount } from './entry-count.js';
import { LokiError } from './errors.js';
import { registerExitParticipant, unregisterExitParticipant, type ExitParticipant } from './exit-hook.js';
import { DEFAULTS, type LokiClientOptions } from './options.js';
import { addStats, withDropped } from './worker-answers.js';
import { ChunkBuilder } from './worker-chunk.js';
import { flushBeforeExit, waitAtExit } from './worker-exit.js';
import { carryOnInThread } from './worker-fallback.js';
import {
  CONTROL,
  snapshotStats,
  statsFromSlots,
  type FromWorker,
  type ToWorker,
  type WorkerLineMapper,
} from './worker-protocol.js';
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
  // Fields without `private` are read by the exit duties (worker-exit.ts); the class is not the adapters' to poke.
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
  private readonly mapLine: WorkerLineMapper;
  private readonly mapperOptions: unknown;

  readonly pending = new ChunkBuilder();
  private scheduled = false;

  /** Entries log() accepted. */
  logged = 0;
  private postedEntries = 0; // int32 arithmetic, compared with the worker's counters
  private postedChars = 0;
  private droppedFull = 0;
  /** This thread's drops the latest flush answer told of: `ok` is about losses after it (core's rule). */
  private toldFull = 0;
  droppedClosed = 0;
  /** droppedClosed when close() began (counted in its answer). */
  droppedClosedAtClose = 0;

  nextId = 1;
  readonly waiting = new Map<number, (result: FlushResult) => void>();
  closePromise: Promise<FlushResult> | undefined;
  closing = false;
  /** The worker stopped unexpectedly: from then on, an in-thread client does the work. */
  fallback: LokiClient | undefined;
  exitFlushing = false;
  exitFlushedAt = -1;
  exitStartedAt: number | undefined;
  /** Entries the worker had not settled when the exit wait ended (counted `exit_failed` here). */
  exitLost = 0;
  /** The worker's last snapshot once it is done or gone (exit wait over, closed, stopped): final. */
  private finalSlots: Float64Array | undefined;
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
    // Neither keeps the app alive; a pending flush()/close() refs them while it waits.
    // (A 'message' listener refs its port: unref after adding it.)
    this.port.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', (error) => this.onWorkerGone(error));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.onWorkerGone(new Error(`the delivery worker exited with code ${code}`));
    });
    if (options.exitHook !== false) registerExitParticipant(this);
  }

  // ---- the data path -------------------------------------------------------------------------

  /**
   * One entry, as the adapter's text (`mapped`: an already mapped record as JSON). Never throws:
   * the text is the adapter's, taken at the time of the call.
   */
  pushText(text: string, mapped: boolean): void {
    if (this.fallback !== undefined) return this.fallback.push(this.mapLine(text, mapped, this.mapperOptions));
    if (this.closing) {
      if (this.droppedClosed++ === 0)
        this.onError(new LokiError('ERR_LOKI_CLOSED', 'log after close(): entry dropped', { entries: 1 }));
      return;
    }
    this.pending.add(text, mapped);
    this.logged++;
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
    const backlogEntries = (this.postedEntries - Atomics.load(this.control, CONTROL.consumedEntries)) | 0;
    const backlogChars = (this.postedChars - Atomics.load(this.control, CONTROL.consumedChars)) | 0;
    if (backlogEntries >= this.maxEntries || backlogChars >= this.maxChars) {
      // The worker has a whole buffer's worth not yet taken in (stuck, or far behind): shed this
      // chunk, counted, rather than grow without bound. Otherwise the worker's own buffer applies
      // the bounds (oldest dropped), as in-thread.
      this.droppedFull += count;
      this.onError(
        new LokiError(
          'ERR_LOKI_BUFFER_FULL',
          `${entryCount(count)} dropped: the delivery worker has ${entryCount(backlogEntries)} not yet taken in`,
          { entries: count },
        ),
      );
    } else {
      this.send(this.pending.chunk());
      this.postedEntries = (this.postedEntries + count) | 0;
      this.postedChars = (this.postedChars + chars) | 0;
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

  // ---- requests ------------------------------------------------------------------------------

  /** The worker's client answers for what it took in; entries this thread dropped are added (as stats() adds them). */
  flush(options?: { timeoutMillis?: number }): Promise<FlushResult> {
    if (this.fallback !== undefined) return this.fallback.flush(options);
    if (this.closePromise !== undefined) {
      const closed = this.droppedClosed;
      return this.closePromise.then((result) => withDropped(result, 'closed', closed - this.droppedClosedAtClose));
    }
    this.post();
    const full = this.droppedFull;
    const closed = this.droppedClosed;
    const told = this.toldFull;
    return this.request({ type: 'flush', id: this.nextId++, timeoutMillis: options?.timeoutMillis }).then((result) => {
      this.toldFull = Math.max(this.toldFull, full);
      return withDropped(withDropped(result, 'buffer_full', full, told), 'closed', closed);
    });
  }

  close(): Promise<FlushResult> {
    this.closePromise ??= this.doClose();
    return this.closePromise;
  }

  private async doClose(): Promise<FlushResult> {
    if (this.fallback !== undefined) return this.fallback.close();
    this.post();
    this.closing = true;
    const full = this.droppedFull;
    this.droppedClosedAtClose = this.droppedClosed;
    const result = withDropped(
      withDropped(await this.request({ type: 'close', id: this.nextId++ }), 'buffer_full', full, this.toldFull),
      'closed',
      this.droppedClosedAtClose,
    );
    unregisterExitParticipant(this);
    this.freezeWorkerStats();
    await this.worker.terminate().catch(() => {});
    return result;
  }

  request(message: ToWorker & { id: number }): Promise<FlushResult> {
    return new Promise<FlushResult>((resolve) => {
      this.waiting.set(message.id, resolve);
      if (this.waiting.size === 1) {
        this.worker.ref();
        this.port.ref();
      }
      this.send(message);
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

  onMessage(msg: FromWorker): void {
    if (msg.type === 'answer') this.settle(msg.id, msg.result);
    else if (msg.type === 'error') {
      const { code, message, type: _type, ...details } = msg;
      this.onError(new LokiError(code, message, details));
    } else this.metrics.onMessage(msg);
  }

  /** For registerLokiMetrics: this thread's stats(), the worker's requests relayed. */
  [METRICS_SOURCE](): LokiMetricsSource {
    return this.metrics.source(() => this.stats());
  }

  /** The worker died (it should not): see worker-fallback.ts. */
  onWorkerGone(error: unknown): void {
    carryOnInThread(this, error);
  }

  // ---- counters ------------------------------------------------------------------------------

  /** The worker's counters: its latest consistent snapshot, or the final one. */
  workerStats(): LokiClientStats {
    return statsFromSlots(this.finalSlots ?? snapshotStats(this.statsView, this.control));
  }

  /**
   * From now on stats() adds up to what the worker had at this moment: at the end of the exit wait the
   * worker still runs (a send answered later would be counted both sent and lost).
   */
  freezeWorkerStats(): void {
    this.finalSlots ??= snapshotStats(this.statsView, this.control);
  }

  /** Entries logged and not yet taken in by the worker (posted or still in this tick's chunk). */
  inTransit(worker: LokiClientStats): number {
    return Math.max(0, this.logged - this.droppedFull - worker.entriesPushed);
  }

  stats(): LokiClientStats {
    const worker = this.workerStats();
    if (this.fallback !== undefined) {
      // Counters of both clients add up; the worker's last snapshot is final.
      const own = addStats(this.fallback.stats(), worker);
      own.droppedByReason.closed += this.droppedClosed;
      own.entriesDropped += this.droppedClosed;
      own.demotedLabels = { ...this.metrics.demoted, ...own.demotedLabels };
      return own;
    }
    const transit = this.inTransit(worker);
    worker.bufferedEntries = Math.max(0, worker.bufferedEntries + transit - this.exitLost);
    worker.entriesDropped += this.exitLost;
    worker.droppedByReason.exit_failed += this.exitLost;
    worker.entriesPushed = this.logged + this.droppedClosed;
    worker.entriesDropped += this.droppedFull + this.droppedClosed;
    worker.droppedByReason.buffer_full += this.droppedFull;
    worker.droppedByReason.closed += this.droppedClosed;
    worker.demotedLabels = { ...this.metrics.demoted };
    return worker;
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
