export { createLokiClient, deliverAtExit, deliverSyncAtExit, DROP_REASONS, COMPRESSIONS } from './client.js';
export type { LokiClient, LokiClientStats, FlushResult, DropReason, Compression } from './client.js';
export { LokiError, LokiOptionsError } from './errors.js';
export { entryCount } from './entry-count.js';
export { redactedForm, redactHeaders, redactUrl } from './redact.js';
export type { LokiErrorCode, LokiErrorDetails } from './errors.js';
export { DEFAULTS, CLIENT_OPTION_NAMES, checkClientOptions, resolvePushUrl } from './options.js';
export type { LokiClientOptions, LokiTlsOptions, LokiEncoding } from './options.js';
export type { LokiRecord } from './record.js';
export type { DiskBufferOptions } from './disk-buffer.js';
export { safeStringify, metadataValueToString, messageToLine } from './safe-stringify.js';
export { labelValueToString, isLabelField, metadataName, LABEL_FIELD_PREFIX } from './labels.js';
export { nowNs, timestampToNs, MIN_TIMESTAMP_NS, MAX_TIMESTAMP_NS } from './timestamp.js';
export { registerExitParticipant, unregisterExitParticipant } from './exit-hook.js';
export type { ExitParticipant } from './exit-hook.js';
export type { LokiTimestamp } from './timestamp.js';
export {
  LokiSDK,
  initSdk,
  debug,
  info,
  warning,
  warn,
  error,
  critical,
  fatal,
  flush,
  close,
  getSdk,
  SDK_DEFAULTS,
} from './sdk.js';
export type { SdkOptions, SdkLevel, SdkCallResult, SdkFields } from './sdk.js';
export { suggestName, unknownOptionsError } from './option-names.js';
export { warnOncePerCode, writeStderrLine } from './error-warning.js';
export { envValue } from './env-value.js';
export { describeValue, optionChecks } from './option-checks.js';
