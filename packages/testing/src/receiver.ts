/**
 * The receiver: its public API (reading, waiting, faults, stop/start on the same port) and the routing of
 * each request to the push, query or status answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultScript } from './fault-script.js';
import { readBody, sendText } from './http-exchange.js';
import { HttpListener } from './http-listener.js';
import { compileSelector } from './label-matcher.js';
import { Ingester } from './ingester.js';
import { resolveOptions, type ResolvedReceiverOptions } from './options.js';
import { handleOtlpLogs } from './otlp-handler.js';
import { handlePush, type PushHandlerContext } from './push-handler.js';
import { answerQuery, isQueryPath } from './query-routes.js';
import { TenantRateLimiter } from './rate-limiter.js';
import { StopTimers } from './stop-timers.js';
import { EntryStore } from './store.js';
import { StreamSharder } from './stream-sharder.js';
import type {
  EntryQueryOptions,
  FaultStep,
  LokiReceiver,
  LokiReceiverOptions,
  ReceivedRequest,
  ReceiverLimits,
  ReceiverStats,
  StoredEntry,
  StoredStream,
  StreamSelector,
  WaitForEntriesOptions,
} from './types.js';
import { WaitList } from './wait-list.js';

const PUSH_PATH = '/loki/api/v1/push';
/** Loki's legacy push route: the same handler, with the legacy JSON shape. */
const LEGACY_PUSH_PATH = '/api/prom/push';
/** Loki's OTLP logs route (an OTLP exporter configured with `<url>/otlp` appends `/v1/logs`). */
const OTLP_LOGS_PATH = '/otlp/v1/logs';
const DEFAULT_WAIT_MILLIS = 10_000;

function describeSelector(selector: StreamSelector | undefined, tenant: string | undefined): string {
  let out = '';
  if (selector !== undefined) out += ` matching ${typeof selector === 'string' ? selector : JSON.stringify(selector)}`;
  if (tenant !== undefined) out += ` for tenant "${tenant}"`;
  return out;
}

class Receiver implements LokiReceiver {
  private readonly listener = new HttpListener();
  private generation = 0;
  private currentPort: number;
  private readonly host: string;
  private closed = false;
  private readonly limits: ReceiverLimits;
  private readonly store = new EntryStore();
  private readonly rateLimiter: TenantRateLimiter;
  private readonly ingester: Ingester;
  private readonly sharder: StreamSharder | undefined;
  private readonly options: ResolvedReceiverOptions;
  private readonly faults = new FaultScript();
  private responseDelay = 0;
  private recorded: ReceivedRequest[] = [];
  private readonly waits = new WaitList();
  private readonly timers = new StopTimers();
  private readonly push: PushHandlerContext;

  constructor(options: LokiReceiverOptions) {
    this.options = resolveOptions(options);
    this.currentPort = this.options.port;
    this.host = this.options.host;
    this.limits = this.options.limits;
    this.rateLimiter = new TenantRateLimiter(this.limits.ingestionRateBytesPerSecond, this.limits.ingestionBurstBytes);
    this.ingester = new Ingester(this.limits, this.options.strict);
    this.sharder = this.options.shardStreams
      ? new StreamSharder(this.limits.shardStreamsDesiredRateBytesPerSecond)
      : undefined;
    this.push = {
      options: this.options,
      faults: this.faults,
      timers: this.timers,
      store: this.store,
      ingester: this.ingester,
      rateLimiter: this.rateLimiter,
      sharder: this.sharder,
      responseDelay: () => this.responseDelay,
      generation: () => this.generation,
      record: (request) => this.record(request),
    };
  }

  get port(): number {
    return this.currentPort;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.currentPort}`;
  }

  get pushUrl(): string {
    return this.url + PUSH_PATH;
  }

  get otlpLogsUrl(): string {
    return this.url + OTLP_LOGS_PATH;
  }

  get requests(): readonly ReceivedRequest[] {
    return this.recorded;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.closed) throw new Error('LokiReceiver: start() after close()');
    if (this.listener.listening) return;
    this.currentPort = await this.listener.start(this.currentPort, this.host, (req, res) => this.handle(req, res));
  }

  async stop(): Promise<void> {
    this.generation++;
    this.timers.cancelAll();
    await this.listener.stop();
  }

  async close(): Promise<void> {
    await this.stop();
    this.closed = true;
    this.waits.rejectAll('LokiReceiver closed while waiting');
  }

  clear(): void {
    this.store.clear();
    this.recorded = [];
    this.rateLimiter.reset();
    this.ingester.reset();
    this.sharder?.reset();
  }

  // ---------------------------------------------------------------- faults

  failNext(...steps: FaultStep[]): void {
    this.faults.push(steps);
  }

  setResponseDelay(millis: number): void {
    if (!Number.isFinite(millis) || millis < 0)
      throw new TypeError('setResponseDelay: millis must be a finite number >= 0');
    this.responseDelay = millis;
  }

  // ---------------------------------------------------------------- reading

  entries(selector?: StreamSelector, options?: EntryQueryOptions): StoredEntry[] {
    return this.store.entries(selector === undefined ? undefined : compileSelector(selector), options?.tenant);
  }

  streams(selector?: StreamSelector, options?: EntryQueryOptions): StoredStream[] {
    return this.store.streams(selector === undefined ? undefined : compileSelector(selector), options?.tenant);
  }

  stats(): ReceiverStats {
    const statusCounts: Record<number, number> = {};
    let bodyBytes = 0;
    let entriesStored = 0;
    for (const r of this.recorded) {
      statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
      bodyBytes += r.bodyBytes;
      entriesStored += r.entriesStored;
    }
    return { requests: this.recorded.length, bodyBytes, entriesStored, statusCounts };
  }

  waitForEntries(count: number, options: WaitForEntriesOptions = {}): Promise<StoredEntry[]> {
    let predicate: ((labels: Record<string, string>) => boolean) | undefined;
    try {
      predicate = options.selector === undefined ? undefined : compileSelector(options.selector);
    } catch (err) {
      return Promise.reject(err);
    }
    const { tenant } = options;
    const timeout = options.timeoutMillis ?? DEFAULT_WAIT_MILLIS;
    return this.waitFor(
      () => this.store.count(predicate, tenant) >= count,
      () => this.store.entries(predicate, tenant),
      timeout,
      () =>
        `waitForEntries: timed out after ${timeout} ms waiting for ${count} entries` +
        `${describeSelector(options.selector, tenant)}; ${this.store.count(predicate, tenant)} arrived`,
    );
  }

  waitForRequests(count: number, options: { timeoutMillis?: number } = {}): Promise<ReceivedRequest[]> {
    const timeout = options.timeoutMillis ?? DEFAULT_WAIT_MILLIS;
    return this.waitFor(
      () => this.recorded.length >= count,
      () => [...this.recorded],
      timeout,
      () =>
        `waitForRequests: timed out after ${timeout} ms waiting for ${count} push requests; ${this.recorded.length} arrived`,
    );
  }

  private waitFor<T>(done: () => boolean, result: () => T, timeout: number, message: () => string): Promise<T> {
    if (done()) return Promise.resolve(result());
    if (this.closed) return Promise.reject(new Error('LokiReceiver is closed'));
    return this.waits.waitFor(done, result, timeout, message);
  }

  private record(request: ReceivedRequest): void {
    this.recorded.push(request);
    this.waits.notify();
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://receiver');
    const method = req.method ?? 'GET';
    if (url.pathname === PUSH_PATH || url.pathname === LEGACY_PUSH_PATH) {
      if (method === 'POST') return handlePush(this.push, req, res, url.pathname === LEGACY_PUSH_PATH);
      // gorilla/mux's method mismatch: 405 with an empty body.
      return this.handleOther(req, () => sendText(res, 405, '', { Allow: 'POST' }));
    }
    if (url.pathname === OTLP_LOGS_PATH) {
      if (method === 'POST') return handleOtlpLogs(this.push, req, res);
      return this.handleOther(req, () => sendText(res, 405, '', { Allow: 'POST' }));
    }
    if (url.pathname === '/ready') {
      return this.handleOther(req, () =>
        method === 'GET' || method === 'HEAD'
          ? sendText(res, 200, 'ready\n')
          : sendText(res, 405, '', { Allow: 'GET' }),
      );
    }
    if (isQueryPath(url.pathname)) {
      if (method !== 'GET' && method !== 'POST') {
        return this.handleOther(req, () => sendText(res, 405, '', { Allow: 'GET, POST' }));
      }
      return this.handleOther(req, (body) => {
        const answer = answerQuery(req, url, body, {
          store: this.store,
          authEnabled: this.options.authEnabled,
          maxEntriesLimitPerQuery: this.limits.maxEntriesLimitPerQuery,
        });
        sendText(res, answer.status, answer.body, { 'Content-Type': answer.contentType });
      });
    }
    return this.handleOther(req, () => sendText(res, 404, '404 page not found\n'));
  }

  /** Reads the body, applies the response delay, then answers (unless the receiver stopped meanwhile). */
  private async handleOther(req: IncomingMessage, answer: (body: Buffer) => void): Promise<void> {
    const generation = this.generation;
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return;
    }
    if (this.responseDelay > 0) await this.timers.sleep(this.responseDelay);
    if (generation !== this.generation) return;
    answer(body);
  }
}

/**
 * Starts a Loki-compatible push receiver on `host:port` (default 127.0.0.1, a free port) and resolves once
 * it is listening.
 */
export async function createLokiReceiver(options: LokiReceiverOptions = {}): Promise<LokiReceiver> {
  const receiver = new Receiver(options);
  await receiver.start();
  return receiver;
}
