import {
  checkClientOptions,
  findWorkerFile,
  LokiError,
  redactedForm,
  redactUrl,
  resolvePushUrl,
  warnOncePerCode,
  METRICS_SOURCE,
  type FlushResult,
  type LokiMetricsSource,
  type LokiClientStats,
} from '@loki-sdk/core/adapter';
import TransportStream from 'winston-transport';
import { InThreadSink, type InfoSink } from './info-sink.js';
import { labelLiftingFormat } from './label-lifting-format.js';
import { isPlainJsonFormat } from './logger-json-format.js';
import {
  checkTransportOptions,
  clientOptions,
  recordMapping,
  streamOptions,
  unknownTransportOptions,
  type LokiTransportOptions,
} from './transport-options.js';
import { WorkerSink } from './worker-sink.js';

type Info = Record<string | symbol, unknown>;

function checkedOptions(options: LokiTransportOptions): LokiTransportOptions {
  checkTransportOptions(options);
  return options;
}
type Listener = (...args: unknown[]) => void;
type Source = { listenerCount(event: string): number; format?: { transform?: unknown; options?: unknown } };

/**
 * A winston transport that delivers to Grafana Loki through @loki-sdk/core. By default `log()` only
 * turns info into text for a delivery worker thread, which maps, batches and sends (worker-sink.ts);
 * with `worker: false` the mapping and core's client run on the calling thread.
 * Delivery failures are `'warn'` events (winston re-emits them on the logger), never `'error'`:
 * an `'error'` nobody listens to would crash the app.
 */
export class LokiTransport extends TransportStream {
  readonly name: string = 'loki';
  private readonly sink: InfoSink;
  private readonly userOnError: ((error: LokiError) => void) | undefined;
  private readonly userOnConnectionError: ((error: unknown) => void) | undefined;
  private logging = false;
  private loggedQueue: unknown[] = [];
  private pipedFrom: { listenerCount(event: string): number } | undefined;
  /** The loggers piping into this transport (usually one). */
  private sources: Source[] = [];

  constructor(options: LokiTransportOptions = {}) {
    const opts = options ?? {};
    // Checked before anything is built: a wrong type is a LokiOptionsError here, never later.
    super(streamOptions(checkedOptions(opts)));
    if (opts.format !== undefined) this.format = labelLiftingFormat(opts.format);
    const mapping = recordMapping(opts);
    this.userOnError = typeof opts.onError === 'function' ? opts.onError : undefined;
    this.userOnConnectionError = typeof opts.onConnectionError === 'function' ? opts.onConnectionError : undefined;
    const core = clientOptions(opts, (error) => this.deliverError(error));
    // The worker script: beside this module (the built package, or a bundle that ships the file next to
    // itself), else in the package's dist (from the sources, in tests).
    const worker =
      opts.worker === false
        ? undefined
        : findWorkerFile(import.meta.url, ['./delivery-worker.js', '../dist/delivery-worker.js']);
    let sink: InfoSink | undefined;
    let noWorker: string | undefined;
    if (worker?.file !== undefined) {
      checkClientOptions(core); // bad options throw here, as in-thread, not later in the worker
      try {
        sink = new WorkerSink(worker.file, core, mapping);
      } catch (error) {
        // No thread to be had (resource limits, a locked-down runtime): the same work in this thread.
        noWorker = `the delivery worker could not start (${(error as Error)?.message ?? String(error)})`;
      }
    } else if (worker !== undefined) {
      noWorker = `the delivery worker file was not found (looked for ${worker.looked.join(', ') || 'delivery-worker.js'}; ship delivery-worker.js beside a bundle)`;
    }
    this.sink = sink ?? new InThreadSink(core, mapping);
    // Told, not silent: delivery on the app's thread costs the log call more (set worker: false to choose it).
    if (noWorker !== undefined) {
      const error = new LokiError(
        'ERR_LOKI_WORKER_UNAVAILABLE',
        `${noWorker}: mapping and delivery run on this thread`,
      );
      process.nextTick(() => this.announce(error));
    }
    // A misspelt option would silently fall back to its default. Told on the next tick, once the
    // transport is in its logger, so a 'warn' listener there (or on the transport) hears it.
    const unknown = unknownTransportOptions(opts);
    if (unknown !== undefined) process.nextTick(() => this.announce(unknown));
    // Printed and serialized as a summary (also inside util.inspect(logger)): the sink holds credentials.
    const url = redactUrl(resolvePushUrl(core));
    const inWorker = sink !== undefined;
    redactedForm(this, 'LokiTransport', (self) => ({ name: self.name, level: self.level, url, worker: inWorker }));
    // Remember the logger, to know whether a 'warn' bubbled up to it is heard.
    this.on('pipe', (src: Source) => {
      this.pipedFrom = src;
      this.sources = [...this.sources, src];
    });
    this.on('unpipe', (src: Source) => {
      this.sources = this.sources.filter((s) => s !== src);
    });
  }

  /** winston's entry point. Cheap by design: take the info as text (or map and queue it in-thread), call back. */
  override log(info: Info, callback: () => void): void {
    // winston-transport's convention is one setImmediate per call; one per tick, and none when nobody
    // listens, is cheaper.
    if (this.listenerCount('logged') > 0) {
      this.loggedQueue.push(info);
      if (this.loggedQueue.length === 1) setImmediate(this.emitLogged);
    }
    this.logging = true;
    try {
      this.sink.log(info, this.loggerMadeJson());
    } catch (error) {
      // Mapping reads app objects (getters, proxies): a throw there costs the entry, never the app.
      this.deliverError(
        new LokiError(
          'ERR_LOKI_INVALID_RECORD',
          `winston info could not be mapped: ${(error as Error)?.message ?? String(error)}`,
          { entries: 1, cause: error },
        ),
      );
    } finally {
      this.logging = false;
    }
    callback();
  }

  /**
   * Whether `info[MESSAGE]` is the info as JSON, made by the logger's json() format (winston's
   * default): the worker path then reuses it instead of serializing the info a second time.
   * Checked per call (a logger's format can be replaced); it is two property reads.
   */
  private loggerMadeJson(): boolean {
    const { sources } = this;
    if (sources.length === 0) return false;
    for (let i = 0; i < sources.length; i++) if (!isPlainJsonFormat(sources[i]!.format)) return false;
    return true;
  }

  /** Called by winston's `logger.end()`: 'finish' is emitted once Loki acknowledged everything (or close() gave up). */
  override _final(callback: (error?: Error | null) => void): void {
    void this.sink.close().then(
      () => callback(),
      () => callback(),
    );
  }

  /**
   * Resolves when everything logged before the call is acknowledged by Loki, or given up, or at the
   * deadline. Never rejects.
   */
  flush(options?: { timeoutMillis?: number }): Promise<FlushResult> {
    return this.sink.flush(options);
  }

  /**
   * Delivers what is pending (within `closeTimeoutMillis`) and stops. winston calls it when the
   * transport is removed or the logger closed. Idempotent; never rejects.
   */
  // winston ignores what close() returns; ours never rejects, so no rejection goes unseen.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  override close(): Promise<FlushResult> {
    return this.sink.close();
  }

  /** Counters of the underlying client: entries pushed, sent, dropped (by reason), buffered, requests... */
  stats(): LokiClientStats {
    return this.sink.stats();
  }

  /** What registerLokiMetrics reads: the delivery worker's figures, on this thread. */
  [METRICS_SOURCE](): LokiMetricsSource {
    return this.sink.metricsSource();
  }

  private readonly emitLogged = (): void => {
    const queue = this.loggedQueue;
    this.loggedQueue = [];
    for (const info of queue) this.emit('logged', info);
  };

  private deliverError(error: LokiError): void {
    if (this.logging) {
      // Raised inside log(): a 'warn' handler that logs again must not re-enter winston's write.
      process.nextTick(() => this.announce(error));
    } else {
      this.announce(error);
    }
  }

  private announce(error: LokiError): void {
    let heard = false;
    for (const handler of [this.userOnError, this.userOnConnectionError]) {
      if (handler === undefined) continue;
      heard = true;
      try {
        handler(error);
      } catch {
        // The error path must not throw into the data path.
      }
    }
    const bubble = (this as unknown as { __winstonwarn?: Listener }).__winstonwarn;
    const own = this.listeners('warn').filter((l) => l !== bubble).length;
    if (own > 0 || (bubble !== undefined && (this.pipedFrom?.listenerCount('warn') ?? 0) > 0)) heard = true;
    try {
      this.emit('warn', error);
    } catch {
      // A throwing listener is the app's bug; it must not surface inside our timers.
    }
    if (!heard) warnOncePerCode(error, "listen to 'warn' on the transport or logger to see all");
  }
}
