import { clientChecks } from './option-checks.js';
import type { OptionSpec } from './option-schema.js';
import type { LokiClientOptions } from './options.js';
const ms = { type: 'number', unit: 'ms' } as const;

/** Every option of createLokiClient, described once (`satisfies`: exactly the keys of LokiClientOptions). */
export const CLIENT_OPTION_SCHEMA = {
  host: {
    group: 'connection',
    type: 'string',
    default: 'http://localhost:3100',
    check: clientChecks.url,
    doc: 'Loki base URL; `/loki/api/v1/push` is appended',
    flag: { help: 'Loki base URL' },
    aliases: [{ dialect: 'sdk', name: 'endpoints.loki', hintOnly: true }],
  },
  url: {
    group: 'connection',
    type: 'string',
    check: clientChecks.url,
    doc:
      'full push URL, used as given; wins over `host`. A URL with no path (`https://logs.example.com`) ' +
      'gets `/loki/api/v1/push`',
    flag: { help: 'Full push URL; wins over --host (or env LOKI_URL)' },
    aliases: [{ dialect: 'sdk', name: 'endpoints.loki', hintOnly: true }],
  },
  tenantId: {
    group: 'connection',
    type: 'string',
    check: clientChecks.headerString,
    doc: 'sent as `X-Scope-OrgID` (needed by multi-tenant Loki)',
    flag: { help: 'Tenant, sent as X-Scope-OrgID (or env LOKI_TENANT)' },
  },
  basicAuth: {
    group: 'connection',
    type: 'object',
    check: clientChecks.basicAuth,
    doc: '`{ username, password }` (Grafana Cloud: user id + token)',
    flag: false,
  },
  bearerToken: {
    group: 'connection',
    type: 'string',
    check: clientChecks.headerString,
    doc: '`Authorization: Bearer ...`',
    flag: { help: 'Bearer token (or env LOKI_BEARER_TOKEN)' },
  },
  headers: {
    group: 'connection',
    type: 'object',
    defaultText: '`{}`',
    check: clientChecks.headers,
    doc: 'extra headers (copied, never mutated)',
    flag: { help: 'Extra headers: JSON object or k=v,k2=v2', kind: 'json' },
  },
  tls: {
    group: 'connection',
    type: 'object',
    check: clientChecks.tls,
    doc: '`{ ca, cert, key, caFile, certFile, keyFile, passphrase, rejectUnauthorized = true }`',
    flag: false,
  },
  proxy: {
    group: 'connection',
    type: 'string',
    defaultText: '— (direct; the environment is not read)',
    check: clientChecks.proxy,
    doc:
      'an `http://` proxy URL (`http://user:pass@proxy:3128`; the credentials are never printed): requests go ' +
      'through a CONNECT tunnel, to an https Loki and to an http one alike (a proxy that allows CONNECT only to ' +
      "port 443, squid's default, refuses an http Loki on 3100). `'env'`: `https_proxy`/`HTTPS_PROXY` for an " +
      'https Loki, `http_proxy`/`HTTP_PROXY` for an http one (lower case first, empty means unset), unless ' +
      "`no_proxy`/`NO_PROXY` names Loki's host (`host`, `.domain`, `*.domain`, `host:port`, `*`). Read once, at " +
      'construction. The synchronous send at `process.exit()` goes through it too',
    flag: { help: 'HTTP proxy URL (CONNECT), or "env" for HTTPS_PROXY / HTTP_PROXY / NO_PROXY', kind: 'string' },
  },
  labels: {
    group: 'content',
    type: 'object',
    defaultText: '`{}`',
    check: clientChecks.labels,
    doc: 'static stream labels',
    flag: { help: 'Static labels: JSON object or k=v,k2=v2', kind: 'json', short: 'l' },
  },
  levelLabel: {
    group: 'content',
    type: 'string',
    default: 'level',
    check: clientChecks.levelLabel,
    doc: 'label name for the level; `false` keeps the level in metadata',
    flag: { help: 'Label carrying the level, or "false"' },
  },
  metadataMode: {
    group: 'content',
    type: 'string',
    default: 'structured',
    values: ['structured', 'line'],
    doc: "`'structured'`: Loki structured metadata; `'line'`: merged into a JSON line",
    flag: { help: 'structured | line' },
  },
  protocol: {
    group: 'request',
    type: 'string',
    default: 'loki',
    values: ['loki', 'otlp'],
    doc:
      "`'otlp'`: OTLP/HTTP logs instead of Loki's push API, to `host` + `/otlp/v1/logs` (Loki's) or to `url` as " +
      'given (a collector: a `url` with no path gets `/v1/logs`); see [OTLP out](#otlp-out)',
    flag: { help: 'loki | otlp (OTLP/HTTP logs to /otlp/v1/logs or a collector url)' },
  },
  encoding: {
    group: 'request',
    type: 'string',
    default: 'protobuf',
    values: ['protobuf', 'json', 'json-gzip'],
    doc:
      "`'protobuf'` (protobuf + snappy, Loki's native format; OTLP: protobuf + gzip), `'json'`, `'json-gzip'` " +
      '(OTLP: OTLP/JSON)',
    flag: { help: 'protobuf | json | json-gzip' },
    aliases: [{ dialect: 'winston-loki', name: 'json', convert: { when: true, set: 'json' } }],
  },
  batchMaxEntries: {
    group: 'batch',
    type: 'number',
    unit: 'entries',
    min: 1,
    default: 5000,
    doc: 'send when this many entries wait',
    flag: { help: 'Entries per request' },
    aliases: [{ dialect: 'sdk', name: 'bufferSize' }],
  },
  batchMaxBytes: {
    group: 'batch',
    type: 'number',
    unit: 'bytes',
    min: 1024,
    default: 1024 * 1024,
    doc:
      'send when this many line + metadata bytes wait; also the cap per request (Loki answers a 4 MiB+ push ' +
      'with 500 and stores none of it)',
    flag: { help: 'Bytes per request' },
  },
  batchIntervalMillis: {
    group: 'batch',
    ...ms,
    min: 0,
    default: 1000,
    doc: 'an entry waits at most this long before it is sent',
    flag: { help: 'Longest wait before a send' },
    aliases: [
      { dialect: 'sdk', name: 'flushInterval', convert: 'seconds' },
      { dialect: 'winston-loki', name: 'batching', convert: { when: false, set: 0 } },
      { dialect: 'winston-loki', name: 'interval', convert: 'seconds' },
    ],
  },
  maxLineBytes: {
    group: 'content',
    type: 'number',
    unit: 'bytes',
    min: 1,
    default: 262144,
    doc: "Loki's line limit",
    flag: { help: 'Longest line' },
  },
  oversizedLine: {
    group: 'content',
    type: 'string',
    default: 'truncate',
    values: ['truncate', 'drop'],
    doc: "or `'drop'`",
    flag: { help: 'truncate | drop' },
  },
  requestTimeoutMillis: {
    group: 'request',
    ...ms,
    min: 1,
    default: 10_000,
    doc: 'per attempt',
    flag: { help: 'Per-request timeout' },
    aliases: [
      { dialect: 'winston-loki', name: 'timeout' },
      { dialect: 'pino-loki', name: 'timeout' },
    ],
  },
  maxRequestsInFlight: {
    group: 'request',
    type: 'number',
    min: 1,
    default: 1,
    doc:
      'requests at once (1 keeps strict order; Loki accepts out-of-order entries within 1 h otherwise). While ' +
      'the slot is taken, the next full batch is already encoded, so it leaves as soon as the answer comes',
    flag: { help: 'Parallel requests' },
  },
  retryMaxAttempts: {
    group: 'retry',
    type: 'number',
    min: 1,
    default: 10,
    doc: 'attempts per batch (429, 5xx, 408, network errors, timeouts)',
    flag: { help: 'Attempts per batch' },
    aliases: [{ dialect: 'sdk', name: 'maxRetries' }],
  },
  retryInitialDelayMillis: {
    group: 'retry',
    ...ms,
    min: 0,
    default: 500,
    doc: 'first backoff; doubles per attempt with jitter; `Retry-After` is honoured (up to 5 min)',
    flag: { help: 'First backoff' },
  },
  retryMaxDelayMillis: {
    group: 'retry',
    ...ms,
    min: 0,
    default: 30_000,
    doc: 'longest backoff, and the probe interval while Loki is offline',
    flag: { help: 'Longest backoff' },
  },
  offlineBuffer: {
    group: 'buffer',
    type: 'boolean',
    default: true,
    doc:
      'keep batches past their attempts while Loki is unreachable, and send them when it returns; `false`: ' +
      'drop them (counted)',
    flag: { help: 'Drop batches after their attempts instead of keeping them while Loki is down' },
    aliases: [
      { dialect: 'sdk', name: 'enableOfflineBuffer' },
      { dialect: 'winston-loki', name: 'clearOnError', convert: { when: true, set: false } },
    ],
  },
  bufferMaxEntries: {
    group: 'buffer',
    type: 'number',
    unit: 'entries',
    min: 1,
    default: 1_000_000,
    doc:
      'most entries held (waiting, in flight, offline); beyond it the oldest are dropped and counted. A held ' +
      'entry costs its bytes plus about 300 bytes of JS objects, so a full million short entries is ~300 MB of ' +
      'RSS; lower it where memory matters more than bursts',
    flag: { help: 'Most entries held' },
    aliases: [{ dialect: 'sdk', name: 'offlineBufferSize', hintOnly: true }],
  },
  bufferMaxBytes: {
    group: 'buffer',
    type: 'number',
    unit: 'bytes',
    min: 1024,
    default: 64 * 1024 * 1024,
    doc: 'most line + metadata bytes held; same policy',
    flag: { help: 'Most bytes held' },
  },
  offlineBufferMaxEntries: {
    group: 'buffer',
    type: 'number',
    unit: 'entries',
    min: 1,
    defaultText: '`bufferMaxEntries`',
    doc:
      'most entries held while Loki is unreachable (an outage); beyond it the oldest are dropped, counted ' +
      'under `buffer_full`. With Loki up only `bufferMaxEntries` applies, so a burst is never cut to this size',
    flag: { help: 'Most entries held while Loki is down (default --buffer-max-entries)' },
  },
  flushTimeoutMillis: {
    group: 'shutdown',
    ...ms,
    min: 0,
    default: 30_000,
    doc: 'default deadline of `flush()`',
    flag: { help: 'Deadline of a flush' },
  },
  closeTimeoutMillis: {
    group: 'shutdown',
    ...ms,
    min: 0,
    default: 5_000,
    doc: 'deadline of `close()` and of delivery at process exit',
    flag: { help: 'Deadline of the final flush at end of input' },
  },
  exitHook: {
    group: 'shutdown',
    type: 'boolean',
    default: true,
    doc: 'deliver what is pending when the process ends (see below)',
    flag: false,
    aliases: [{ dialect: 'winston-loki', name: 'gracefulShutdown', convert: { when: false, set: false } }],
  },
  labelMaxValues: {
    group: 'content',
    type: 'number',
    default: 100,
    check: clientChecks.countOrFalse,
    doc:
      'distinct values a label name may take within `cardinalityWindowMillis` before its values go to structured ' +
      'metadata instead (see [Label cardinality](#label-cardinality)); `false`: no limit',
    flag: { help: 'Distinct values per label name before it moves to metadata, or "false"' },
  },
  maxStreams: {
    group: 'content',
    type: 'number',
    default: 1000,
    check: clientChecks.countOrFalse,
    doc:
      'distinct streams within the window before the label of the new stream with most values goes to ' +
      'structured metadata; `false`: no cap',
    flag: { help: 'Distinct streams before the label with most values moves to metadata, or "false"' },
  },
  cardinalityWindowMillis: {
    group: 'content',
    ...ms,
    min: 1,
    default: 600_000,
    doc: 'the sliding window of the two limits above',
    flag: { help: 'Window of the cardinality limits' },
  },
  traceContext: {
    group: 'content',
    type: 'boolean',
    default: true,
    check: clientChecks.traceContext,
    doc:
      'with `@opentelemetry/api` installed and a span active at `push()`: its `trace_id`, `span_id`, `trace_flags` ' +
      'as structured metadata; `false` off; `{ traceId, spanId, traceFlags }` renames them (see [Trace context](#trace-context-logs-to-traces))',
    flag: { help: 'Lift trace_id, span_id, trace_flags from lines into structured metadata, or "false"' },
  },
  diskBuffer: {
    group: 'buffer',
    type: 'object',
    defaultText: 'off',
    check: clientChecks.diskBuffer,
    doc:
      '`{ directory, maxBytes = 256 MiB, syncIntervalMillis = 1000, segmentMaxBytes = 8 MiB, ' +
      'heartbeatTimeoutMillis = 30000 }`: crash-safe buffer, see below',
    flag: false,
  },
  onError: {
    group: 'errors',
    type: 'function',
    defaultText: 'one process warning per error code',
    doc: 'the single error path: `(err: LokiError) => void`',
    flag: false,
  },
} as const satisfies Record<keyof LokiClientOptions, OptionSpec>;
