import http from 'node:http';
import https from 'node:https';
import type { Got, ExtendOptions } from 'got';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { redactedForm, redactSecrets, redactUrl, secretStrings } from './redact.js';
import type { ResolvedOptions } from './options.js';
import { otlpFailureText, otlpPartialSuccess, type PartialSuccess } from './otlp-response.js';
import { classifyOtlpStatus, classifyStatus, parseRetryAfter, type Outcome } from './retry-policy.js';

export interface SendResult {
  outcome: Outcome;
  status?: number;
  /** Loki's answer (first 1024 bytes) or the network error's message. */
  message: string;
  retryAfterMillis?: number;
  errorCode?: string;
  cause?: unknown;
  /** OTLP: a 2xx answer's partial success (records the server rejected). */
  partial?: PartialSuccess;
}

const MAX_BODY_IN_MESSAGE = 1024;
/** Most bytes of an answer's body read; the rest is discarded unread. */
const MAX_BODY_READ = 4096;

/** Network errors raised before a request could be written: Loki never saw it. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_LOKI_PROXY_CONNECT',
]);
/**
 * hpagent's words for a CONNECT answered other than 200, and for one not answered in time: no tunnel, so Loki never saw
 * the request.
 */
const PROXY_REFUSED = /^Bad response: (\d+)$/;
const PROXY_TIMEOUT = 'Proxy timeout';

/**
 * Whether a failed request may nevertheless have been stored by Loki: a lost answer (timeout, reset)
 * or a 5xx (the ingesters may have stored part). Not a 429 (refused before storing) nor a failed connect.
 */
export function mayHaveBeenStored(result: SendResult): boolean {
  if (result.status !== undefined) return result.status >= 500;
  return result.errorCode === undefined || !NOT_CONNECTED.has(result.errorCode);
}

// got is ESM-only, and its import costs ~100 ms: it is imported at the first request, with import(),
// which also lets our CommonJS build use the installed got (require() of ESM fails before Node 20.19)
// instead of bundling a second copy. A bundler's interop may wrap the namespace in `default` once or
// twice: unwrap until we hold the callable got instance.
function resolveGot(module: unknown): Got {
  let candidate = module as { default?: unknown };
  for (let i = 0; i < 3 && typeof candidate !== 'function' && candidate?.default !== undefined; i++) {
    candidate = candidate.default as { default?: unknown };
  }
  return candidate as unknown as Got;
}
let gotLoading: Promise<Got> | undefined;
function loadGot(): Promise<Got> {
  gotLoading ??= import('got').then(resolveGot, (error: unknown) => {
    gotLoading = undefined; // a failed import is tried again by the next request
    throw error;
  });
  return gotLoading;
}

/**
 * Sockets that never keep the process alive, also while a request is on them (Node refs a socket in
 * use). A request to a Loki that never answers held a script that had ended on its own for the whole
 * request timeout, before `beforeExit` (and with it the exit deadline) could even come. Code that
 * waits for delivery waits on flush()/close(), whose deadline timer is ref'd, and so does the exit
 * flush (LokiClient.onBeforeExit).
 */
// A mixin: TypeScript requires its base constructor to take any[].
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withUnrefSockets<C extends new (...args: any[]) => http.Agent>(Base: C): C {
  return class extends Base {
    override createConnection(
      ...args: Parameters<http.Agent['createConnection']>
    ): ReturnType<http.Agent['createConnection']> {
      const socket = super.createConnection(...args);
      (socket as { unref?: () => unknown } | undefined)?.unref?.();
      return socket;
    }
    override reuseSocket(socket: import('node:net').Socket, request: http.ClientRequest): void {
      super.reuseSocket(socket, request);
      socket.unref();
    }
  };
}
const UnrefAgent = withUnrefSockets(http.Agent);
const UnrefHttpsAgent = withUnrefSockets(https.Agent);

type ConnectionCallback = (error: Error | null, socket: import('node:stream').Duplex) => void;
/**
 * hpagent's agents open the tunnel (CONNECT) first and hand the socket over in a callback: it is
 * unref'd there. The CONNECT request's own socket is hpagent's and stays ref'd while the proxy
 * answers, so the handshake gets the request timeout (hpagent's `timeout`), which is cleared on the
 * tunnel once it is up (the agent keeps it alive for the next requests).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's base constructor must take any[] (TS2545)
function withUnrefTunnel<C extends new (...args: any[]) => http.Agent>(Base: C, handshakeMillis: number): C {
  return class extends Base {
    override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback): undefined {
      super.createConnection({ ...options, timeout: options.timeout ?? handshakeMillis }, (error, socket) => {
        const s = socket as import('node:net').Socket | null;
        s?.setTimeout(0);
        s?.unref();
        callback?.(error, socket);
      });
      return undefined;
    }
    override reuseSocket(socket: import('node:net').Socket, request: http.ClientRequest): void {
      super.reuseSocket(socket, request);
      socket.unref();
    }
  };
}

/**
 * One POST to Loki through got, which owns timeouts, keep-alive agents and TLS. got's own retry is
 * off: our retry timers must be unref'd and cancellable at close, and retry must be counted per batch.
 */
export class HttpSender {
  /** got extended with our options, made at the first request (see loadGot). */
  private got: Promise<Got> | undefined;
  private readonly gotOptions: ExtendOptions;
  private readonly agents: { http: http.Agent; https: https.Agent };
  readonly safeUrl: string;
  /** The proxy's URL without credentials, or undefined: direct. */
  readonly safeProxy: string | undefined;
  /** Our credentials, to cut out of what a server sends back (a proxy may echo our headers). */
  private readonly secrets: readonly string[];

  constructor(private readonly options: ResolvedOptions) {
    this.safeUrl = redactUrl(options.pushUrl);
    this.secrets = secretStrings(options.headers, options.pushUrl, options.proxy);
    redactedForm(this, 'LokiHttpSender', (self) => ({
      url: self.safeUrl,
      ...(self.safeProxy !== undefined ? { proxy: self.safeProxy } : {}),
    }));
    const { tls } = options;
    const agentOptions = { keepAlive: true, maxSockets: options.maxRequestsInFlight + 1 };
    const proxy = options.proxy;
    this.safeProxy = proxy === undefined ? undefined : redactUrl(proxy);
    this.agents =
      proxy === undefined
        ? { http: new UnrefAgent(agentOptions), https: new UnrefHttpsAgent(agentOptions) }
        : {
            http: new (withUnrefTunnel(HttpProxyAgent, options.requestTimeoutMillis))({ ...agentOptions, proxy }),
            https: new (withUnrefTunnel(HttpsProxyAgent, options.requestTimeoutMillis))({ ...agentOptions, proxy }),
          };
    const httpsOptions: Record<string, unknown> = { rejectUnauthorized: tls.rejectUnauthorized };
    if (tls.ca !== undefined) httpsOptions.certificateAuthority = tls.ca;
    if (tls.cert !== undefined) httpsOptions.certificate = tls.cert;
    if (tls.key !== undefined) httpsOptions.key = tls.key;
    if (tls.passphrase !== undefined) httpsOptions.passphrase = tls.passphrase;
    this.gotOptions = {
      agent: this.agents,
      https: httpsOptions,
      headers: { 'user-agent': 'loki-sdk', ...options.headers },
      timeout: { request: options.requestTimeoutMillis },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      decompress: true,
    };
  }

  private client(): Promise<Got> {
    this.got ??= loadGot().then(
      (got) => got.extend(this.gotOptions),
      (error: unknown) => {
        this.got = undefined;
        throw error;
      },
    );
    return this.got;
  }

  async send(body: Buffer, headers: Record<string, string>, signal?: AbortSignal): Promise<SendResult> {
    try {
      const response = await this.post(await this.client(), body, headers, signal);
      const { status, contentType } = response;
      const answer = response.body;
      const otlp = this.options.protocol === 'otlp';
      const outcome = otlp ? classifyOtlpStatus(status) : classifyStatus(status);
      const partial = otlp && outcome === 'success' ? otlpPartialSuccess(answer, contentType) : undefined;
      const raw = !otlp ? answer.toString('utf8') : (partial?.message ?? otlpFailureText(answer, contentType));
      const text = redactSecrets(raw.slice(0, MAX_BODY_IN_MESSAGE).trim(), this.secrets);
      const result: SendResult = { outcome, status, message: text };
      if (partial !== undefined) result.partial = { rejected: partial.rejected, message: text };
      const retryAfter = parseRetryAfter(response.retryAfter);
      if (retryAfter !== undefined) result.retryAfterMillis = retryAfter;
      return result;
    } catch (error) {
      const err = error as { code?: string; message?: string };
      // Network errors, timeouts, TLS failures: no answer from Loki. TLS trust errors will not heal
      // by retrying, but a certificate can be fixed while we wait, so they are retried like outages.
      // The cause is a copy (errors.ts): got's error holds our request headers.
      // Through a proxy, a refused connection is the proxy's: say which (no credentials).
      if (this.safeProxy !== undefined) {
        const refused = PROXY_REFUSED.exec(err.message ?? '');
        const tunnel =
          refused !== null
            ? `the proxy answered CONNECT with HTTP ${refused[1]}`
            : err.message === PROXY_TIMEOUT
              ? 'the proxy did not answer CONNECT in time'
              : undefined;
        return {
          outcome: 'retry',
          message: `${tunnel ?? redactSecrets(redactUrl(err.message ?? String(error)), this.secrets)} (via proxy ${this.safeProxy})`,
          ...(tunnel !== undefined
            ? { errorCode: 'ERR_LOKI_PROXY_CONNECT' }
            : err.code !== undefined
              ? { errorCode: err.code }
              : {}),
          cause: error,
        };
      }
      return {
        outcome: 'retry',
        message: redactSecrets(redactUrl(err.message ?? String(error)), this.secrets),
        ...(err.code !== undefined ? { errorCode: err.code } : {}),
        cause: error,
      };
    }
  }

  /**
   * The request as a got stream, so that the answer's body is read only up to MAX_BODY_READ bytes
   * and the rest is never buffered (got's promise API reads a body whole: a hostile or broken
   * server's 512 MB error page would sit in memory). Past the limit the request is destroyed: its
   * socket is not reused, which only costs a new connection after such an answer.
   */
  private post(
    got: Got,
    body: Buffer,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; retryAfter: string | undefined; contentType: string | undefined; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const stream = got.stream.post(this.options.pushUrl, { body, headers, ...(signal ? { signal } : {}) });
      let status: number | undefined;
      let retryAfter: string | undefined;
      let contentType: string | undefined;
      const chunks: Buffer[] = [];
      let kept = 0;
      let settled = false;
      const answer = (): void => {
        if (settled) return;
        settled = true;
        resolve({ status: status!, retryAfter, contentType, body: Buffer.concat(chunks) });
      };
      stream.on(
        'response',
        (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
          status = response.statusCode;
          const value = response.headers['retry-after'];
          retryAfter = Array.isArray(value) ? value[0] : value;
          const type = response.headers['content-type'];
          contentType = Array.isArray(type) ? type[0] : type;
        },
      );
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (kept < MAX_BODY_READ) {
          const part = chunk.length <= MAX_BODY_READ - kept ? chunk : chunk.subarray(0, MAX_BODY_READ - kept);
          chunks.push(part);
          kept += part.length;
        }
        if (kept >= MAX_BODY_READ) {
          answer();
          stream.destroy();
        }
      });
      stream.on('end', answer);
      stream.on('error', (error: Error) => {
        if (settled) return;
        // An answer whose body broke off is still an answer: its status decides.
        if (status !== undefined) answer();
        else {
          settled = true;
          reject(error);
        }
      });
    });
  }

  destroy(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
