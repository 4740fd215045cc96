// `@loki-sdk/core/sdk`: the direct API (loki-sdk-py's shape): a default instance behind initSdk() and the
// level functions, and LokiSDK for more instances. The error classes are the engine's (the same classes).
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
export { LokiError, LokiOptionsError } from './errors.js';
export type { LokiErrorCode, LokiErrorDetails } from './errors.js';
export type { FlushResult, LokiClientStats, DropReason } from './client.js';
export type { LokiClientOptions, LokiTlsOptions, LokiEncoding } from './options.js';
export type { DiskBufferOptions } from './disk-buffer.js';
