import { readFileSync } from 'node:fs';
import { warnOncePerCode } from './error-warning.js';
import { describeValue } from './option-checks.js';
import { CLIENT_OPTION_SCHEMA } from './client-option-schema.js';
import { checkSchemaOptions, defaultsOf } from './option-schema.js';
import { LokiOptionsError, type LokiError } from './errors.js';
import type { DiskBufferOptions } from './disk-buffer.js';
import { optionsView, redactedForm } from './redact.js';
import { resolveProxyUrl } from './proxy-url.js';
import { sanitizeLabelName, labelValueToString } from './labels.js';
import { resolveTraceFieldNames, type TraceFieldNames } from './trace-context.js';
import { resolvePushUrl } from './push-url.js';

export type LokiEncoding = 'protobuf' | 'json' | 'json-gzip';
/** `loki`: Loki's push API; `otlp`: OTLP/HTTP logs, to Loki's `/otlp/v1/logs` or any OpenTelemetry collector. */
export type LokiProtocol = 'loki' | 'otlp';

/** TLS settings for an https Loki. Values are PEM text/Buffers; the `*File` forms read a file at start. */
export interface LokiTlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  passphrase?: string;
  /** Verify the server certificate. Default true. */
  rejectUnauthorized?: boolean;
}

export interface LokiClientOptions {
  /** Base URL of Loki, e.g. `http://localhost:3100`; the push path is appended. */
  host?: string;
  /** Full push URL, e.g. `https://logs.example.com/loki/api/v1/push`, used as given; a URL with no path gets the push path. Wins over `host`. */
  url?: string;
  /** Sent as `X-Scope-OrgID`. */
  tenantId?: string;
  basicAuth?: { username: string; password: string };
  bearerToken?: string;
  /** Extra request headers (copied, never mutated). */
  headers?: Record<string, string>;
  tls?: LokiTlsOptions;
  /**
   * An http:// proxy (`http://user:pass@proxy:3128`): requests are tunnelled with CONNECT, to an
   * https Loki and to an http one alike. `'env'`: the proxy of `https_proxy`/`HTTPS_PROXY` (https
   * Loki) or `http_proxy`/`HTTP_PROXY` (http Loki), unless `no_proxy`/`NO_PROXY` lists Loki's host.
   * Default: none (the environment is not read).
   */
  proxy?: string;
  /** Stream labels added to every entry. */
  labels?: Record<string, unknown>;
  /** Name of the label that carries the level, or false to keep the level in metadata. Default `level`. */
  levelLabel?: string | false;
  /** `structured`: fields go to Loki structured metadata; `line`: merged into a JSON line. */
  metadataMode?: 'structured' | 'line';
  /** `otlp`: send OTLP/HTTP logs (to Loki's `/otlp/v1/logs`, or the collector `url` names). Default `loki`. */
  protocol?: LokiProtocol;
  /** Wire format. Default `protobuf` (protobuf + snappy; with `protocol: 'otlp'`, protobuf + gzip). */
  encoding?: LokiEncoding;
  /** Send when this many entries wait. Default 5000. */
  batchMaxEntries?: number;
  /** Send when this many bytes (line + metadata) wait; also the cap on one request. Default 1 MiB. */
  batchMaxBytes?: number;
  /** Send entries at the latest this long after they were pushed. Default 1000. */
  batchIntervalMillis?: number;
  /** Longest line, in bytes. Default 262144 (Loki's limit). */
  maxLineBytes?: number;
  /** What to do with a longer line. Default `truncate`. */
  oversizedLine?: 'truncate' | 'drop';
  /** Per-attempt HTTP timeout. Default 10000. */
  requestTimeoutMillis?: number;
  /** Requests in flight at once. Default 1. */
  maxRequestsInFlight?: number;
  /** Attempts per batch before it is given up (or parked in the offline buffer). Default 10. */
  retryMaxAttempts?: number;
  /** First backoff delay; doubles each attempt, with jitter. Default 500. */
  retryInitialDelayMillis?: number;
  /** Longest backoff delay, and the probe interval while Loki is offline. Default 30000. */
  retryMaxDelayMillis?: number;
  /**
   * Keep entries while Loki is unreachable (bounded below) instead of dropping a batch after its attempts.
   * Default true.
   */
  offlineBuffer?: boolean;
  /**
   * Most entries held (waiting, in flight, offline). Oldest dropped beyond. Default 1000000 (a 1M-call
   * burst is kept whole).
   */
  bufferMaxEntries?: number;
  /** Most bytes held. Oldest dropped beyond. Default 64 MiB. */
  bufferMaxBytes?: number;
  /**
   * Most entries held while Loki is unreachable (oldest dropped beyond, counted); with Loki up `bufferMaxEntries`
   * applies. Default: `bufferMaxEntries`.
   */
  offlineBufferMaxEntries?: number;
  /** Default deadline of `flush()`. Default 30000. */
  flushTimeoutMillis?: number;
  /** Deadline of `close()`, and of the synchronous send at process exit. Default 5000. */
  closeTimeoutMillis?: number;
  /** Opt-in: keep unacknowledged entries in segment files in this directory, replayed after a crash or restart. */
  diskBuffer?: DiskBufferOptions;
  /**
   * Deliver what is pending when the process ends (natural end: async flush; `process.exit()`: synchronous send).
   * Default true.
   */
  exitHook?: boolean;
  /**
   * With `@opentelemetry/api` installed and a span active where the entry is pushed: its `trace_id`, `span_id`
   * and `trace_flags` as structured metadata. `false`: off; an object renames the fields. Default true.
   */
  traceContext?: boolean | Partial<TraceFieldNames>;
  // Cardinality guard (label-guard.ts).
  /** Distinct values a label name may take within the window before it moves to metadata; false: off. Default 100. */
  labelMaxValues?: number | false;
  /** Distinct streams in the window before the label with most values moves to metadata; false: off. Default 1000. */
  maxStreams?: number | false;
  /** The guard's sliding window. Default 600000 (10 minutes). */
  cardinalityWindowMillis?: number;
  /** The one error path. Default: a process warning the first time each error code occurs. */
  onError?: (error: LokiError) => void;
}

export interface ResolvedOptions {
  pushUrl: string;
  headers: Record<string, string>;
  tls: {
    ca?: Array<string | Buffer>;
    cert?: string | Buffer;
    key?: string | Buffer;
    passphrase?: string;
    rejectUnauthorized: boolean;
  };
  /** The proxy URL for pushUrl (the `proxy` option, or the environment's for `'env'`), or undefined: direct. */
  proxy: string | undefined;
  staticLabels: Array<[string, string]>;
  levelLabel: string | false;
  metadataMode: 'structured' | 'line';
  protocol: LokiProtocol;
  encoding: LokiEncoding;
  batchMaxEntries: number;
  batchMaxBytes: number;
  batchIntervalMillis: number;
  maxLineBytes: number;
  oversizedLine: 'truncate' | 'drop';
  requestTimeoutMillis: number;
  maxRequestsInFlight: number;
  retryMaxAttempts: number;
  retryInitialDelayMillis: number;
  retryMaxDelayMillis: number;
  offlineBuffer: boolean;
  bufferMaxEntries: number;
  bufferMaxBytes: number;
  offlineBufferMaxEntries: number;
  flushTimeoutMillis: number;
  closeTimeoutMillis: number;
  exitHook: boolean;
  /** The metadata names of the trace context, or false: not captured. */
  traceContext: TraceFieldNames | false;
  diskBuffer: DiskBufferOptions | undefined;
  labelMaxValues: number | false;
  maxStreams: number | false;
  cardinalityWindowMillis: number;
  onError: (error: LokiError) => void;
}

/** The defaults of core's options, from the schema. */
export const DEFAULTS = Object.freeze(defaultsOf(CLIENT_OPTION_SCHEMA));

/** Every option name createLokiClient understands, from the schema (adapters derive theirs from it). */
export const CLIENT_OPTION_NAMES = Object.keys(CLIENT_OPTION_SCHEMA) as ReadonlyArray<keyof LokiClientOptions>;

export { PUSH_PATH, resolvePushUrl } from './push-url.js';

/** Default error path: one process warning per error code, so a down Loki does not flood stderr. */
export function defaultOnError(error: LokiError): void {
  warnOncePerCode(error, 'pass onError to see all');
}

/**
 * Throws the LokiOptionsError createLokiClient would throw for these options, without making a
 * client. For hosts that build the client elsewhere (a worker) but must refuse bad options at once.
 */
export function checkClientOptions(options: LokiClientOptions = {}): void {
  resolveOptions(options);
}

export function resolveOptions(options: LokiClientOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new LokiOptionsError(`options must be an object, got ${describeValue(options)}`);
  checkSchemaOptions(CLIENT_OPTION_SCHEMA, options as Record<string, unknown>);
  const pushUrl = resolvePushUrl(options);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = value;
  if (options.tenantId !== undefined && options.tenantId !== '') headers['X-Scope-OrgID'] = String(options.tenantId);
  if (options.basicAuth !== undefined) {
    const { username, password } = options.basicAuth;
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  } else if (options.bearerToken !== undefined && options.bearerToken !== '') {
    headers.Authorization = `Bearer ${options.bearerToken}`;
  }

  const tlsIn = options.tls ?? {};
  const read = (path: string | undefined, what: string): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new LokiOptionsError(`cannot read TLS ${what} file ${path}: ${(err as Error).message}`);
    }
  };
  const ca: Array<string | Buffer> = [];
  if (tlsIn.ca !== undefined) ca.push(...(Array.isArray(tlsIn.ca) ? tlsIn.ca : [tlsIn.ca]));
  const caFromFile = read(tlsIn.caFile, 'CA');
  if (caFromFile) ca.push(caFromFile);
  const tls: ResolvedOptions['tls'] = { rejectUnauthorized: tlsIn.rejectUnauthorized ?? true };
  if (ca.length > 0) tls.ca = ca;
  const cert = tlsIn.cert ?? read(tlsIn.certFile, 'certificate');
  if (cert !== undefined) tls.cert = cert;
  const key = tlsIn.key ?? read(tlsIn.keyFile, 'key');
  if (key !== undefined) tls.key = key;
  if (tlsIn.passphrase !== undefined) tls.passphrase = tlsIn.passphrase;

  const staticLabels: Array<[string, string]> = [];
  for (const [rawName, rawValue] of Object.entries(options.labels ?? {})) {
    const name = sanitizeLabelName(rawName);
    const value = labelValueToString(rawValue);
    if (name !== undefined && value !== undefined) staticLabels.push([name, value]);
  }

  let levelLabel: string | false = DEFAULTS.levelLabel;
  if (options.levelLabel === false) levelLabel = false;
  else if (typeof options.levelLabel === 'string') {
    const name = sanitizeLabelName(options.levelLabel);
    if (name === undefined) throw new LokiOptionsError(`levelLabel "${options.levelLabel}" is not a usable label name`);
    levelLabel = name;
  }

  // Checked above: numbers are in range, choices are among their values.
  const int = (name: NumberOption): number => Math.floor((options[name] as number | undefined) ?? DEFAULTS[name]);
  const bufferMaxEntries = int('bufferMaxEntries');
  // Printed and serialized without credentials (redact.ts).
  return redactedOptions({
    pushUrl,
    headers,
    tls,
    proxy: resolveProxyUrl(options.proxy, pushUrl),
    staticLabels,
    levelLabel,
    metadataMode: options.metadataMode ?? DEFAULTS.metadataMode,
    protocol: options.protocol ?? DEFAULTS.protocol,
    encoding: options.encoding ?? DEFAULTS.encoding,
    batchMaxEntries: int('batchMaxEntries'),
    batchMaxBytes: int('batchMaxBytes'),
    batchIntervalMillis: int('batchIntervalMillis'),
    maxLineBytes: int('maxLineBytes'),
    oversizedLine: options.oversizedLine ?? DEFAULTS.oversizedLine,
    requestTimeoutMillis: int('requestTimeoutMillis'),
    maxRequestsInFlight: int('maxRequestsInFlight'),
    retryMaxAttempts: int('retryMaxAttempts'),
    retryInitialDelayMillis: int('retryInitialDelayMillis'),
    retryMaxDelayMillis: int('retryMaxDelayMillis'),
    offlineBuffer: options.offlineBuffer ?? DEFAULTS.offlineBuffer,
    bufferMaxEntries,
    bufferMaxBytes: int('bufferMaxBytes'),
    offlineBufferMaxEntries: Math.min(
      bufferMaxEntries,
      Math.floor(options.offlineBufferMaxEntries ?? bufferMaxEntries),
    ),
    flushTimeoutMillis: int('flushTimeoutMillis'),
    closeTimeoutMillis: int('closeTimeoutMillis'),
    exitHook: options.exitHook ?? DEFAULTS.exitHook,
    traceContext: resolveTraceFieldNames(options.traceContext),
    diskBuffer: resolveDiskBuffer(options.diskBuffer),
    // Cardinality guard (label-guard.ts); checked above: a whole number >= 1, or false.
    labelMaxValues:
      options.labelMaxValues === false ? false : Math.floor(options.labelMaxValues ?? DEFAULTS.labelMaxValues),
    maxStreams: options.maxStreams === false ? false : Math.floor(options.maxStreams ?? DEFAULTS.maxStreams),
    cardinalityWindowMillis: int('cardinalityWindowMillis'),
    onError: typeof options.onError === 'function' ? options.onError : defaultOnError,
  });
}

type NumberOption = {
  [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K] extends number ? K : never;
}[keyof typeof DEFAULTS];

function redactedOptions(resolved: ResolvedOptions): ResolvedOptions {
  return Object.freeze(redactedForm(resolved, 'LokiResolvedOptions', optionsView));
}

/** Checked by the schema (directory, bounds): copied, whole numbers. */
function resolveDiskBuffer(disk: DiskBufferOptions | undefined): DiskBufferOptions | undefined {
  if (disk === undefined) return undefined;
  const out: DiskBufferOptions = { directory: disk.directory };
  for (const name of ['maxBytes', 'syncIntervalMillis', 'segmentMaxBytes', 'heartbeatTimeoutMillis'] as const)
    if (disk[name] !== undefined) out[name] = Math.floor(disk[name]);
  return out;
}
