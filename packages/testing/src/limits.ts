/** Default limits (Loki 3.4.6 defaults, with the token-bucket rate switched off) and option resolution. */
import type { ReceiverLimits } from './types.js';

/** The receiver's default limits. All equal Loki 3.4.6's defaults except `ingestionRateBytesPerSecond` (off). */
export const DEFAULT_RECEIVER_LIMITS: Readonly<ReceiverLimits> = Object.freeze({
  maxLineBytes: 262144,
  maxLabelNamesPerSeries: 15,
  maxLabelNameBytes: 1024,
  maxLabelValueBytes: 2048,
  rejectOldSamples: true,
  rejectOldSamplesMaxAgeMillis: 7 * 24 * 60 * 60 * 1000,
  creationGracePeriodMillis: 10 * 60 * 1000,
  maxStructuredMetadataBytes: 65536,
  maxStructuredMetadataEntries: 128,
  maxRecvMsgBytes: 4194304,
  ingestionBurstBytes: 6 * 1024 * 1024,
  ingestionRateBytesPerSecond: undefined,
  outOfOrderWindowMillis: 60 * 60 * 1000,
  perStreamRateBytesPerSecond: 3 * 1024 * 1024,
  perStreamBurstBytes: 15 * 1024 * 1024,
  maxEntriesLimitPerQuery: 5000,
  shardStreamsDesiredRateBytesPerSecond: 1536 * 1024,
  maxGlobalStreamsPerUser: 5000,
});

/**
 * Merges overrides onto the defaults; `undefined` overrides keep the default (except for the rate, where it
 * means off).
 */
export function resolveLimits(overrides: Partial<ReceiverLimits> | undefined): ReceiverLimits {
  const limits: ReceiverLimits = { ...DEFAULT_RECEIVER_LIMITS };
  if (!overrides) return limits;
  for (const key of Object.keys(overrides) as Array<keyof ReceiverLimits>) {
    const value = overrides[key];
    if (value === undefined && key !== 'ingestionRateBytesPerSecond') continue;
    (limits as unknown as Record<string, unknown>)[key] = value;
  }
  return limits;
}
