import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { createLokiClient, type FlushResult, type LokiClient, type LokiClientStats } from './client.js';
import { entryCount } from './entry-count.js';
import { LokiError } from './errors.js';
import { registerExitParticipant, unregisterExitParticipant, type ExitParticipant } from './exit-hook.js';
import { DEFAULTS, type LokiClientOptions } from './options.js';
import { nowNs } from './timestamp.js';
import { addStats, fromStats, withDropped } from './worker-answers.js';
import { exitDrainReason } from './worker-exit-report.js';
import {
  CONTROL,
  EXIT_DEADLINE_SLOT,
  readStats,
  SHARED_SLOTS,
  type EntryChunk,
  type FromWorker,
  type ToWorker,
  type WorkerLineMapper,
  type WorkerSetup,
} from './worker-protocol.js';

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
/** Past the exit deadline, how long the main thread waits for the worker to publish its final count. */
const EXIT_ANSWER_SLACK_MILLIS = 200;

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
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly control: Int32Array;
  private readonly statsView: Float64Array;
  private readonly closeTimeoutMillis: number;
  private readonly maxEntries: number;
  private readonly maxChars: number;
  private readonly onError: (error: LokiError) => void;
  /** Kept for the in-thread fallback. */
  private readonly clientOptions: LokiClientOptions;
  private readonly mapLine: WorkerLineMapper;
  private readonly mapperOptions: unknown;

  private lines: string[] = [];
  private times: number[] = [];
  private records: number[] = [];
  private chars = 0;
  private baseNs = 0n;
  private baseMillis = 0;
  private scheduled = false;

  /** Entries log() accepted. */
  private logged = 0;
  private postedEntries = 0; // int32 arithmetic, compared with the worker's counters
  private postedChars = 0;
  private droppedFull = 0;
  /** This thread's drops the latest flush answer told of: `ok` is about losses after it (core's rule). */
  private toldFull = 0;
  private droppedClosed = 0;
  /** droppedClosed when close() began (counted in its answer). */
  private droppedClosedAtClose = 0;

  private nextId = 1;
  private readonly waiting = new Map<number, (result: FlushResult) => void>();
  private closePromise: Promise<FlushResult> | undefined;
  private closing = false;
  /** The worker stopped unexpectedly: from then on, an in-thread client does the work. */
  private fallback: LokiClient | undefined;
  private exitFlushing = false;
  private exitFlushedAt = -1;
  private exitStartedAt: number | undefined;
  /** Entries the worker had not settled when the exit wait ended (counted `exit_failed` here). */
  private exitLost = 0;

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

    const stats = new SharedArrayBuffer(SHARED_SLOTS * Float64Array.BYTES_PER_ELEMENT);
    const control = new SharedArrayBuffer(CONTROL.length * Int32Array.BYTES_PER_ELEMENT);
    this.statsView = new Float64Array(stats);
    this.control = new Int32Array(control);
    const channel = new MessageChannel();
    this.port = channel.port1;
    const setup: WorkerSetup = {
      client: { ...clientOptions, exitHook: false },
      mapperOptions,
      stats,
      control,
      port: channel.port2,
    };
    // A worker inherits the app's Node flags; `--input-type` (an app run with `node -e`) makes it refuse to
    // start, since the worker is a file.
    const execArgv = process.execArgv.filter(
      (arg, i, all) => !arg.startsWith('--input-type') && all[i - 1] !== '--input-type',
    );
    this.worker = new Worker(file, { workerData: setup, transferList: [channel.port2], execArgv });
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
    if (mapped) this.records.push(this.lines.length);
    if (this.lines.length === 0) {
      this.baseNs = nowNs();
      this.baseMillis = performance.now();
    }
    this.lines.push(text);
    this.times.push(performance.now());
    this.chars += text.length;
    this.logged++;
    if (this.lines.length >= CHUNK_ENTRIES || this.chars >= CHUNK_CHARS) this.post();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.postScheduled);
    }
  }

  private readonly postScheduled = (): void => {
    this.scheduled = false;
    this.post();
  };

  private post(): void {
    const count = this.lines.length;
    if (count === 0) return;
    const chars = this.chars;
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
          {
            entries: count,
          },
        ),
      );
    } else {
      const chunk: EntryChunk = {
        type: 'entries',
        text: this.lines.join('\n'),
        count,
        times: this.times,
        baseNs: this.baseNs,
        baseMillis: this.baseMillis,
        records: this.records,
      };
      this.send(chunk);
      this.postedEntries = (this.postedEntries + count) | 0;
      this.postedChars = (this.postedChars + chars) | 0;
    }
    this.resetChunk();
  }

  /** A new chunk: the posted arrays were copied by postMessage (or are given up), never reused. */
  private resetChunk(): void {
    this.lines = [];
    this.times = [];
    this.records = [];
    this.chars = 0;
  }

  private send(message: ToWorker): void {
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
    await this.worker.terminate().catch(() => {});
    return result;
  }

  private request(message: ToWorker & { id: number }): Promise<FlushResult> {
    return new Promise<FlushResult>((resolve) => {
      this.waiting.set(message.id, resolve);
      if (this.waiting.size === 1) {
        this.worker.ref();
        this.port.ref();
      }
      this.send(message);
    });
  }

  private settle(id: number, result: FlushResult): void {
    const resolve = this.waiting.get(id);
    if (resolve === undefined) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) {
      this.worker.unref();
      this.port.unref();
    }
    resolve(result);
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'answer') this.settle(msg.id, msg.result);
    else if (msg.type === 'error') {
      const { code, message, type: _type, ...details } = msg;
      this.onError(new LokiError(code, message, details));
    }
  }

  /**
   * The worker died (it should not): entries it had not taken in are lost and counted; an in-thread
   * client carries on.
   */
  private onWorkerGone(error: unknown): void {
    if (this.fallback !== undefined || this.closePromise !== undefined) return;
    const lost = this.inTransit(readStats(this.statsView)) + this.lines.length;
    this.droppedClosed += lost;
    this.resetChunk();
    unregisterExitParticipant(this);
    try {
      this.fallback = createLokiClient(this.clientOptions);
    } catch (fallbackError) {
      // Inside the worker's 'error' listener a throw is an uncaught exception: never let one out.
      // The options were checked at construction, so this is unexpected: report it, then drop and count.
      this.fallback = createLokiClient({ ...this.clientOptions, diskBuffer: undefined });
      this.onError(
        new LokiError(
          'ERR_LOKI_UNAVAILABLE',
          `the in-thread fallback could not start as configured (${(fallbackError as Error)?.message ?? String(fallbackError)}); it runs without its disk buffer`,
          { cause: fallbackError },
        ),
      );
    }
    this.onError(
      new LokiError(
        'ERR_LOKI_UNAVAILABLE',
        `the delivery worker stopped (${(error as Error)?.message ?? String(error)}); ${entryCount(lost)} lost, logging goes on in this thread`,
        {
          entries: lost,
          cause: error,
        },
      ),
    );
    const stats = this.stats();
    const answer = fromStats(stats, stats.bufferedEntries);
    for (const id of [...this.waiting.keys()]) this.settle(id, answer);
  }

  // ---- counters ------------------------------------------------------------------------------

  /** Entries logged and not yet taken in by the worker (posted or still in this tick's chunk). */
  private inTransit(worker: LokiClientStats): number {
    return Math.max(0, this.logged - this.droppedFull - worker.entriesPushed);
  }

  stats(): LokiClientStats {
    const worker = readStats(this.statsView);
    if (this.fallback !== undefined) {
      // Counters of both clients add up; the worker's last snapshot is final.
      const own = addStats(this.fallback.stats(), worker);
      own.droppedByReason.closed += this.droppedClosed;
      own.entriesDropped += this.droppedClosed;
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
    return worker;
  }

  // ---- process end (this thread hears it; the worker does the delivering) -------------------

  onBeforeExit(): void {
    if (this.closing || this.fallback !== undefined || this.exitFlushing) return;
    this.post();
    // Tried already and nothing new since: let the process end (the exit delivery has one more go).
    if (this.logged === this.exitFlushedAt || this.stats().bufferedEntries === 0) return;
    this.exitFlushing = true;
    this.exitStartedAt ??= Date.now();
    const mark = this.logged;
    void this.request({ type: 'flush', id: this.nextId++, timeoutMillis: this.closeTimeoutMillis, atExit: true }).then(
      () => {
        this.exitFlushing = false;
        this.exitFlushedAt = mark;
      },
    );
  }

  /**
   * `process.exit()` (or the end after the beforeExit flush): the worker still runs while this
   * thread waits, so it delivers with its own event loop and raises a flag. The deadline is
   * `closeTimeoutMillis` from the start of the process end; this thread waits for the flag until
   * then plus a short slack, and then counts whatever the worker had not settled (it may still be
   * taking in the burst): nothing is left uncounted, and the report is one line with the total.
   */
  onExit(): void {
    if (this.closing || this.fallback !== undefined) return;
    this.post();
    if (this.stats().bufferedEntries === 0) return;
    const now = Date.now();
    const deadline = (this.exitStartedAt ?? now) + this.closeTimeoutMillis;
    this.statsView[EXIT_DEADLINE_SLOT] = deadline;
    Atomics.store(this.control, CONTROL.exitDone, 0);
    this.send({ type: 'exit', deadline });
    const waitUntil = deadline + EXIT_ANSWER_SLACK_MILLIS;
    for (;;) {
      if (Atomics.load(this.control, CONTROL.exitDone) === 1) break;
      const left = waitUntil - Date.now();
      if (left <= 0) break;
      Atomics.wait(this.control, CONTROL.exitDone, 0, left);
    }
    const done = Atomics.load(this.control, CONTROL.exitDone) === 1;
    // No tick runs any more: take the worker's reports now. Its exit-drain reports are folded into one.
    let why: string | undefined;
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as FromWorker;
      // Only the reasons: the worker's counts are part of this thread's one total (it also counts what
      // the worker had not taken in).
      if (msg.type === 'error' && msg.code === 'ERR_LOKI_EXIT_DRAIN') why ??= exitDrainReason(msg.message);
      else this.onMessage(msg);
    }
    if (!done) {
      this.exitLost = this.stats().bufferedEntries;
      why = `the delivery worker had not finished by the deadline${why !== undefined ? ` (${why})` : ''}`;
    }
    const lost = this.stats().droppedByReason.exit_failed;
    if (lost > 0) {
      this.onError(
        new LokiError(
          'ERR_LOKI_EXIT_DRAIN',
          `at process exit, ${entryCount(lost)} could not be delivered by the exit deadline (closeTimeoutMillis ${this.closeTimeoutMillis} ms): ${why ?? 'deadline reached'}`,
          {
            entries: lost,
          },
        ),
      );
    }
  }
}

/** Starts the delivery worker: throws when no thread can be had (the caller then works in-thread). */
export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorkerHost {
  return new DeliveryWorkerHost(options);
}
