import http from 'node:http';
import https from 'node:https';
import * as gotModule from 'got';
import type { Got } from 'got';
import { redactUrl } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { classifyStatus, parseRetryAfter, type Outcome } from './retry-policy.js';

export interface SendResult {
  outcome: Outcome;
  status?: number;
  /** Loki's answer (first 1024 bytes) or the network error's message. */
  message: string;
  retryAfterMillis?: number;
  errorCode?: string;
  cause?: unknown;
}

const MAX_BODY_IN_MESSAGE = 1024;

/** Network errors raised before a request could be written: Loki never saw it. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a failed request may nevertheless have been stored by Loki: a lost answer (timeout, reset)
 * or a 5xx (the ingesters may have stored part). Not a 429 (refused before storing) nor a failed connect.
 */
export function mayHaveBeenStored(result: SendResult): boolean {
  if (result.status !== undefined) return result.status >= 500;
  return result.errorCode === undefined || !NOT_CONNECTED.has(result.errorCode);
}

// got is ESM-only. Our CommonJS build bundles it, and the interop helpers may wrap its namespace in
// `default` once or twice: unwrap until we hold the callable got instance.
function resolveGot(module: unknown): Got {
  let candidate = module as { default?: unknown };
  for (let i = 0; i < 3 && typeof candidate !== 'function' && candidate?.default !== undefined; i++) {
    candidate = candidate.default as { default?: unknown };
  }
  return candidate as unknown as Got;
}
const got = resolveGot(gotModule);

/**
 * One POST to Loki through got, which owns timeouts, keep-alive agents and TLS. got's own retry is
 * off: our retry timers must be unref'd and cancellable at close, and retry must be counted per batch.
 */
export class HttpSender {
  private readonly got: Got;
  private readonly agents: { http: http.Agent; https: https.Agent };
  readonly safeUrl: string;

  constructor(private readonly options: ResolvedOptions) {
    this.safeUrl = redactUrl(options.pushUrl);
    const { tls } = options;
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: options.maxRequestsInFlight + 1 }),
      https: new https.Agent({ keepAlive: true, maxSockets: options.maxRequestsInFlight + 1 }),
    };
    const httpsOptions: Record<string, unknown> = { rejectUnauthorized: tls.rejectUnauthorized };
    if (tls.ca !== undefined) httpsOptions.certificateAuthority = tls.ca;
    if (tls.cert !== undefined) httpsOptions.certificate = tls.cert;
    if (tls.key !== undefined) httpsOptions.key = tls.key;
    if (tls.passphrase !== undefined) httpsOptions.passphrase = tls.passphrase;
    this.got = got.extend({
      agent: this.agents,
      https: httpsOptions,
      headers: { 'user-agent': 'loki-sdk', ...options.headers },
      timeout: { request: options.requestTimeoutMillis },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      decompress: true,
      responseType: 'text',
    });
  }

  async send(body: Buffer, headers: Record<string, string>, signal?: AbortSignal): Promise<SendResult> {
    try {
      const response = await this.got.post(this.options.pushUrl, { body, headers, ...(signal ? { signal } : {}) });
      const status = response.statusCode;
      const text = typeof response.body === 'string' ? response.body.slice(0, MAX_BODY_IN_MESSAGE).trim() : '';
      const result: SendResult = { outcome: classifyStatus(status), status, message: text };
      const retryAfter = parseRetryAfter(response.headers['retry-after']);
      if (retryAfter !== undefined) result.retryAfterMillis = retryAfter;
      return result;
    } catch (error) {
      const err = error as { code?: string; message?: string };
      // Network errors, timeouts, TLS failures: no answer from Loki. TLS trust errors will not heal
      // by retrying, but a certificate can be fixed while we wait, so they are retried like outages.
      return {
        outcome: 'retry',
        message: redactUrl(err.message ?? String(error)),
        ...(err.code !== undefined ? { errorCode: err.code } : {}),
        cause: error,
      };
    }
  }

  destroy(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
