/**
 * The HTTP server: routes, fault injection, request recording, waiting, and stop/start on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FaultScript, describeFaultStep } from './fault-script.js';
import { compileSelector } from './label-matcher.js';
import { Ingester } from './ingester.js';
import { decodePushBody, PushDecodeError, type PushDecodeOptions } from './push-decoder.js';
import { resolveOptions, type ResolvedReceiverOptions } from './options.js';
import { processPush } from './push-processor.js';
import { labelValues, labelNames, series } from './query-metadata.js';
import { queryRange } from './query-range.js';
import { TenantRateLimiter } from './rate-limiter.js';
import { EntryStore } from './store.js';
import { StreamSharder } from './stream-sharder.js';
import { resolveTenant } from './tenant.js';
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

const PUSH_PATH = '/loki/api/v1/push';
/** Loki's legacy push route: the same handler, with the legacy JSON shape. */
const LEGACY_PUSH_PATH = '/api/prom/push';
/** Loki registers `/loki/api/v1/label` as well as `/labels` for the label names. */
const QUERY_PATHS = new Set([
  '/loki/api/v1/query_range',
  '/loki/api/v1/labels',
  '/loki/api/v1/label',
  '/loki/api/v1/series',
]);
const LABEL_VALUES_PATH = /^\/loki\/api\/v1\/label\/([^/]+)\/values$/;
const DEFAULT_WAIT_MILLIS = 10_000;

interface Waiter {
  check(): boolean;
  timer: NodeJS.Timeout;
}

interface Sleep {
  timer: NodeJS.Timeout;
  resolve(): void;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The first `X-Scope-OrgID` line, as Go's `Header.Get` reads it (Node joins repeated lines with ", "). */
function tenantHeader(req: IncomingMessage): string | undefined {
  return req.headersDistinct['x-scope-orgid']?.[0];
}

function describeSelector(selector: StreamSelector | undefined, tenant: string | undefined): string {
  let out = '';
  if (selector !== undefined) out += ` matching ${typeof selector === 'string' ? selector : JSON.stringify(selector)}`;
  if (tenant !== undefined) out += ` for tenant "${tenant}"`;
  return out;
}

class Receiver implements LokiReceiver {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
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
  private readonly waiters = new Set<Waiter>();
  private readonly rejecters = new Map<Waiter, (err: Error) => void>();
  private readonly sleeps = new Set<Sleep>();
  private readonly hangTimers = new Set<NodeJS.Timeout>();

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

  get requests(): readonly ReceivedRequest[] {
    return this.recorded;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.closed) throw new Error('LokiReceiver: start() after close()');
    if (this.server) return;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`${err instanceof Error ? err.message : String(err)}\n`);
        }
      });
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.currentPort, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.currentPort = address.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    this.generation++;
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.sleeps.clear();
    for (const t of this.hangTimers) clearTimeout(t);
    this.hangTimers.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  async close(): Promise<void> {
    await this.stop();
    this.closed = true;
    for (const [waiter, reject] of this.rejecters) {
      clearTimeout(waiter.timer);
      reject(new Error('LokiReceiver closed while waiting'));
    }
    this.waiters.clear();
    this.rejecters.clear();
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
        `waitForEntries: timed out after ${timeout} ms waiting for ${count} entries${describeSelector(options.selector, tenant)}; ` +
        `${this.store.count(predicate, tenant)} arrived`,
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
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          if (!done()) return false;
          resolve(result());
          return true;
        },
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          this.rejecters.delete(waiter);
          reject(new Error(message()));
        }, timeout),
      };
      this.waiters.add(waiter);
      this.rejecters.set(waiter, reject);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        this.rejecters.delete(waiter);
      }
    }
  }

  private record(request: ReceivedRequest): void {
    this.recorded.push(request);
    this.notify();
  }

  // ---------------------------------------------------------------- HTTP

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry: Sleep = {
        resolve,
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
      };
      this.sleeps.add(entry);
    });
  }

  private send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.writableEnded) return;
    if (status === 204 || status === 304 || status < 200) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://receiver');
    const method = req.method ?? 'GET';
    if (url.pathname === PUSH_PATH || url.pathname === LEGACY_PUSH_PATH) {
      if (method === 'POST') return this.handlePush(req, res, url.pathname === LEGACY_PUSH_PATH);
      // gorilla/mux's method mismatch: 405 with an empty body.
      return this.handleOther(req, res, () => this.send(res, 405, '', { Allow: 'POST' }));
    }
    if (url.pathname === '/ready') {
      return this.handleOther(req, res, () =>
        method === 'GET' || method === 'HEAD'
          ? this.send(res, 200, 'ready\n')
          : this.send(res, 405, '', { Allow: 'GET' }),
      );
    }
    if (QUERY_PATHS.has(url.pathname) || LABEL_VALUES_PATH.test(url.pathname)) {
      if (method !== 'GET' && method !== 'POST') {
        return this.handleOther(req, res, () => this.send(res, 405, '', { Allow: 'GET, POST' }));
      }
      return this.handleQuery(req, res, url);
    }
    return this.handleOther(req, res, () => this.send(res, 404, '404 page not found\n'));
  }

  /** Drains the body, applies the response delay, then answers. */
  private async handleOther(req: IncomingMessage, res: ServerResponse, answer: () => void): Promise<void> {
    const generation = this.generation;
    try {
      await readBody(req);
    } catch {
      return;
    }
    if (this.responseDelay > 0) await this.sleep(this.responseDelay);
    if (generation !== this.generation) return;
    answer();
  }

  private async handleQuery(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const generation = this.generation;
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return;
    }
    if (this.responseDelay > 0) await this.sleep(this.responseDelay);
    if (generation !== this.generation) return;
    const params = new URLSearchParams(url.search);
    if (req.method === 'POST' && body.length > 0) {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
    }
    const tenant = resolveTenant(tenantHeader(req), this.options.authEnabled);
    if ('status' in tenant) return this.send(res, tenant.status, tenant.message + '\n');
    const flags = headerValue(req.headers['x-loki-response-encoding-flags']) ?? '';
    const ctx = {
      tenant: tenant.tenant,
      categorizeLabels: flags.split(',').some((f) => f.trim() === 'categorize-labels'),
      store: this.store,
      nowMs: Date.now(),
      maxEntriesLimitPerQuery: this.limits.maxEntriesLimitPerQuery,
    };
    const valuesOf = LABEL_VALUES_PATH.exec(url.pathname);
    const answer =
      url.pathname === '/loki/api/v1/query_range'
        ? queryRange(params, ctx)
        : url.pathname === '/loki/api/v1/labels' || url.pathname === '/loki/api/v1/label'
          ? labelNames(params, ctx)
          : url.pathname === '/loki/api/v1/series'
            ? series(params, ctx)
            : labelValues(decodeURIComponent(valuesOf![1]!), params, ctx);
    this.send(res, answer.status, answer.body, { 'Content-Type': answer.contentType });
  }

  private decodeOptions(legacy: boolean): PushDecodeOptions {
    return {
      rawJsonMetadataValues: this.options.jsonStructuredMetadataValues !== 'decoded',
      strict: this.options.strict,
      legacyJson: legacy,
    };
  }

  private decodeQuietly(
    body: Buffer,
    req: IncomingMessage,
    legacy: boolean,
  ): { uncompressedBytes: number; entries: number } {
    try {
      const decoded = decodePushBody(
        body,
        headerValue(req.headers['content-type']),
        headerValue(req.headers['content-encoding']),
        this.decodeOptions(legacy),
      );
      return { uncompressedBytes: decoded.uncompressedBytes, entries: decoded.entryCount };
    } catch (err) {
      if (err instanceof PushDecodeError) return { uncompressedBytes: err.uncompressedBytes, entries: err.entryCount };
      return { uncompressedBytes: body.length, entries: 0 };
    }
  }

  private async handlePush(req: IncomingMessage, res: ServerResponse, legacy: boolean): Promise<void> {
    const receivedAt = Date.now();
    const generation = this.generation;
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return;
    }
    if (generation !== this.generation) return;

    const step = this.faults.next();
    const contentType = headerValue(req.headers['content-type']);
    const contentEncoding = headerValue(req.headers['content-encoding']);
    const base: ReceivedRequest = {
      status: 0,
      responseBody: '',
      bodyBytes: body.length,
      uncompressedBytes: body.length,
      headers: { ...req.headers },
      entriesReceived: 0,
      entriesStored: 0,
      receivedAt,
    };
    if (contentType !== undefined) base.contentType = contentType;
    if (contentEncoding !== undefined) base.contentEncoding = contentEncoding;
    if (step !== undefined) base.fault = describeFaultStep(step);

    let delay = this.responseDelay;
    if (step !== undefined && typeof step === 'object' && 'delayMillis' in step) delay += step.delayMillis;
    if (delay > 0) {
      await this.sleep(delay);
      if (generation !== this.generation) return;
    }

    if (step !== undefined && !(typeof step === 'object' && 'delayMillis' in step)) {
      const seen = this.decodeQuietly(body, req, legacy);
      base.uncompressedBytes = seen.uncompressedBytes;
      base.entriesReceived = seen.entries;
      if (step === 'reset') {
        this.record(base);
        req.socket.destroy();
        return;
      }
      if (typeof step === 'object' && 'hangMillis' in step) {
        this.record(base);
        const timer = setTimeout(() => {
          this.hangTimers.delete(timer);
          req.socket.destroy();
        }, step.hangMillis);
        this.hangTimers.add(timer);
        return;
      }
      const status = typeof step === 'number' ? step : step.status;
      const responseBody =
        typeof step === 'object' && 'body' in step && step.body !== undefined ? step.body : 'injected fault\n';
      const headers: Record<string, string> = {};
      if (typeof step === 'object' && 'retryAfter' in step && step.retryAfter !== undefined)
        headers['Retry-After'] = String(step.retryAfter);
      base.status = status;
      base.responseBody = status === 204 || status === 304 ? '' : responseBody;
      this.record(base);
      this.send(res, status, responseBody, headers);
      return;
    }

    const tenant = resolveTenant(tenantHeader(req), this.options.authEnabled);
    if ('status' in tenant) {
      const seen = this.decodeQuietly(body, req, legacy);
      base.uncompressedBytes = seen.uncompressedBytes;
      base.entriesReceived = seen.entries;
      this.finishPush(res, base, tenant.status, tenant.message);
      return;
    }
    base.tenant = tenant.tenant;

    let decoded;
    try {
      decoded = decodePushBody(body, contentType, contentEncoding, this.decodeOptions(legacy));
    } catch (err) {
      if (!(err instanceof PushDecodeError)) throw err;
      base.uncompressedBytes = err.uncompressedBytes;
      base.entriesReceived = err.entryCount;
      this.finishPush(res, base, 400, err.message);
      return;
    }
    base.uncompressedBytes = decoded.uncompressedBytes;
    base.entriesReceived = decoded.entryCount;

    const result = processPush(decoded, {
      tenant: tenant.tenant,
      limits: this.limits,
      discoverServiceName: this.options.discoverServiceName,
      discoverLogLevels: this.options.discoverLogLevels,
      strict: this.options.strict,
      store: this.store,
      ingester: this.ingester,
      rateLimiter: this.rateLimiter,
      sharder: this.sharder,
      nowMs: Date.now(),
    });
    base.entriesStored = result.entriesStored;
    this.finishPush(res, base, result.status, result.message);
  }

  private finishPush(res: ServerResponse, request: ReceivedRequest, status: number, message: string): void {
    request.status = status;
    request.responseBody = status === 204 ? '' : message + '\n';
    this.record(request);
    this.send(res, status, request.responseBody);
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
