/**
 * `@loki-sdk/core/adapter`: the contract for transports (pino, winston, and any other framework's).
 * A transport translates its framework's record into core's entry input (`LokiEntryInput`) and hands it to
 * an entry sink made here (`createEntrySink`); every rule (time, labels, metadata names, options, errors,
 * exit) is core's, imported from this module, never copied. The adapters' sources import nothing else of
 * core (test/entry-points.test.ts).
 * See docs/architecture.md, "The adapter seam".
 */
// The entry sink: what a transport pushes its typed entries to (a core client seen from an adapter).
export { createEntrySink, emptyStats } from './entry-sink.js';
export type { LokiEntrySink, EntrySinkSettings, EntrySinkState, SinkBufferState } from './entry-sink.js';
export type { LokiEntryInput } from './entry-input.js';

// The sink's answers and errors (a transport makes no client of its own: createLokiClient and the loose record
// push() takes are the engine's, exported from `@loki-sdk/core`).
export { DROP_REASONS, COMPRESSIONS } from './client.js';
export type { CloseOptions, LokiClientStats, FlushResult, DropReason, Compression } from './client.js';
export { LokiError, LokiOptionsError } from './errors.js';
export type { LokiErrorCode, LokiErrorDetails } from './errors.js';

// Options: defaults, the one list of names, the checks, "did you mean", the push URL.
export { DEFAULTS, CLIENT_OPTION_NAMES, checkClientOptions, resolvePushUrl } from './options.js';
export type { LokiClientOptions, LokiTlsOptions, LokiEncoding } from './options.js';
export type { DiskBufferOptions } from './disk-buffer.js';
export { describeValue, optionChecks } from './option-checks.js';
export { suggestName, unknownOptionsError } from './option-names.js';
export { envValue } from './env-value.js';

// The entry rules: time, label fields, metadata names, the conversions core applies to values.
export { nowNs, timestampToNs, timestampToWire, MIN_TIMESTAMP_NS, MAX_TIMESTAMP_NS } from './timestamp.js';
export type { LokiTimestamp } from './timestamp.js';
export { labelValueToString, isLabelField, metadataName, LABEL_FIELD_PREFIX } from './labels.js';
export { labelsWithFields } from './entry-input.js';
export { safeStringify, metadataValueToString, messageToLine } from './safe-stringify.js';

// The one error reporter (throttled per code, exit-safe), message wording, credentials kept out.
export { warnOncePerCode, writeStderrLine } from './error-warning.js';
export { entryCount } from './entry-count.js';
export { redactedForm, redactHeaders, redactUrl } from './redact.js';

// The delivery worker: a core client in a worker thread, fed the adapter's text of each entry and
// mapped there by the adapter's mapper; exit-safe (the main thread waits while the worker delivers).
export { startDeliveryWorker, DeliveryWorkerHost } from './worker-host.js';
export type { DeliveryWorkerOptions } from './worker-host.js';
export { runDeliveryWorker } from './worker-thread.js';
export type { WorkerLineMapper } from './worker-protocol.js';
export { findWorkerFile } from './worker-file.js';

// Trace context (trace-context.ts): read the active span on the thread where the log call happens.
export { traceCapture, resolveTraceFieldNames, TRACE_FIELD_NAMES } from './trace-context.js';
export type { TraceCapture, TraceFieldNames } from './trace-context.js';

// The options schema: the one description of every option, for transports that add their own to core's.
export { CLIENT_OPTION_SCHEMA } from './client-option-schema.js';
export {
  aliasNames,
  aliasesOf,
  checkAliases,
  checkOf,
  checkSchemaOptions,
  defaultsOf,
  replacedNameHints,
  translateAliases,
} from './option-schema.js';
export type { OptionAlias, OptionGroup, OptionSchema, OptionSpec } from './option-schema.js';
export { optionsTable, readmeTableBlock, withReadmeTable } from './option-table.js';
export { DISK_BUFFER_DEFAULTS } from './disk-buffer-options.js';
// The line formats a transport offers (its `lineFormat`): one list of names, earlier names accepted.
export { LINE_FORMATS, LINE_FORMAT_ALIASES, lineFormatOf, lineFormatSpec } from './line-format.js';
export type { LineFormat, LineFormatName } from './line-format.js';
export { PUSH_PATH } from './options.js';
// The Prometheus metrics: the transports hand their main-thread half to core's registration.
export { registerLokiMetrics } from './metrics.js';
export type { LokiMetricsOptions, LokiMetricsResult } from './metrics.js';
export { METRICS_SOURCE, observeClientRequests } from './metrics-source.js';
export type { HasMetricsSource, LokiMetricsSource, RequestListener } from './metrics-source.js';
