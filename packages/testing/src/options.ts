/**
 * The receiver's options with their defaults, in one place: the receiver reads them from here, and a test
 * compares them with the README's options table so the two cannot drift apart.
 */
import { DEFAULT_RECEIVER_LIMITS, resolveLimits } from './limits.js';
import { compileOtlpConfig, type OtlpAttributeRules } from './otlp-config.js';
import type { LokiReceiverOptions, ReceiverLimits } from './types.js';

/** Every option of {@link LokiReceiverOptions} with its default (`Required` makes a new option need one). */
export const RECEIVER_OPTION_DEFAULTS = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  authEnabled: false,
  discoverServiceName: true,
  discoverLogLevels: true,
  strict: false,
  jsonStructuredMetadataValues: 'raw',
  shardStreams: false,
  otlpConfig: {},
  limits: DEFAULT_RECEIVER_LIMITS,
} satisfies Required<LokiReceiverOptions>);

/** The options a receiver runs with: the caller's, else the defaults. */
export type ResolvedReceiverOptions = Omit<Required<LokiReceiverOptions>, 'limits'> & {
  limits: ReceiverLimits;
  /** `otlpConfig` checked and compiled (a config Loki refuses to start with throws here). */
  otlpRules: OtlpAttributeRules;
};

export function resolveOptions(options: LokiReceiverOptions): ResolvedReceiverOptions {
  const d = RECEIVER_OPTION_DEFAULTS;
  return {
    port: options.port ?? d.port,
    host: options.host ?? d.host,
    authEnabled: options.authEnabled ?? d.authEnabled,
    discoverServiceName: options.discoverServiceName ?? d.discoverServiceName,
    discoverLogLevels: options.discoverLogLevels ?? d.discoverLogLevels,
    strict: options.strict ?? d.strict,
    jsonStructuredMetadataValues: options.jsonStructuredMetadataValues ?? d.jsonStructuredMetadataValues,
    shardStreams: options.shardStreams ?? d.shardStreams,
    otlpConfig: options.otlpConfig ?? d.otlpConfig,
    otlpRules: compileOtlpConfig(options.otlpConfig),
    limits: resolveLimits(options.limits),
  };
}
