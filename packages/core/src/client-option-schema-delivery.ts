import { clientChecks } from './option-checks.js';
import type { OptionSpec } from './option-schema.js';

const ms = { type: 'number', unit: 'ms' } as const;

/** How entries are delivered: requests, retry, buffers, shutdown, the guard, trace context, errors; in table order. */
export const DELIVERY_OPTION_SCHEMA = {
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
      'most entries held (waiting, in flight, offline); beyond it the oldest are dropped and counted. A ' +
      'waiting entry is held as its wire bytes, its line and metadata plus about 40 bytes (with `diskBuffer` as ' +
      'JS objects, ~300 bytes more), so a full million short entries is ~100 MB of RSS; lower it where memory ' +
      'matters more than bursts',
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
      'most entries held while Loki is unreachable (an outage: no answer, 5xx, 408); beyond it the oldest are ' +
      'dropped, counted under `buffer_full`. With Loki up, also when it answers 429 (rate limits), only ' +
      '`bufferMaxEntries` applies, so a burst is never cut to this size',
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
} as const satisfies Record<string, OptionSpec>;
