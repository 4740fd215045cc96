/**
 * Per-stream and per-entry validation with Loki's messages (pkg/distributor/validator.go,
 * pkg/validation/validate.go), plus the receiver's documented stricter rules.
 */
import type { LabelPair } from './label-parser.js';
import type { RawPushEntry } from './push-model.js';
import { formatRfc3339 } from './time-format.js';
import type { ReceiverLimits } from './types.js';

const NS_PER_MS = 1_000_000n;

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Validates a stream's labels. Returns the error message, or undefined when valid.
 * Loki's checks: at least one label, label count (service_name not counted), name/value length,
 * duplicate names. With `strict`: names starting with `__` are rejected (`invalid_labels`).
 */
export function validateStreamLabels(
  labels: readonly LabelPair[],
  stream: string,
  limits: ReceiverLimits,
  strict: boolean,
): string | undefined {
  if (labels.length === 0) return 'error at least one label pair is required per stream';
  let count = labels.length;
  if (labels.some((l) => l.name === 'service_name')) count--;
  if (count > limits.maxLabelNamesPerSeries) {
    return `entry for stream '${stream}' has ${count} label names; limit ${limits.maxLabelNamesPerSeries}`;
  }
  let last = '';
  for (const l of labels) {
    if (bytes(l.name) > limits.maxLabelNameBytes) return `stream '${stream}' has label name too long: '${l.name}'`;
    if (bytes(l.value) > limits.maxLabelValueBytes) return `stream '${stream}' has label value too long: '${l.value}'`;
    if (l.name === last) return `stream '${stream}' has duplicate label name: '${l.name}'`;
    last = l.name;
  }
  if (!strict) return undefined;
  for (const l of labels) {
    if (l.name.startsWith('__')) {
      return `invalid_labels: stream '${stream}' has label name '${l.name}' starting with "__", which is reserved (strict; Loki accepts it)`;
    }
  }
  return undefined;
}

/** Sum of structured-metadata name and value bytes (Loki's `StructuredMetadataSize`). */
export function structuredMetadataBytes(metadata: ReadonlyArray<readonly [string, string]>): number {
  let total = 0;
  for (const [name, value] of metadata) total += bytes(name) + bytes(value);
  return total;
}

/** Time bounds for entry validation, computed once per request. */
export interface EntryTimeBounds {
  /** Entries older than this are rejected (when `rejectOldSamples`). */
  oldestNs: bigint;
  /** Entries newer than this are rejected. */
  newestNs: bigint;
}

/** Computes the accepted timestamp window for "now". */
export function entryTimeBounds(nowNs: bigint, limits: ReceiverLimits): EntryTimeBounds {
  return {
    oldestNs: nowNs - BigInt(Math.round(limits.rejectOldSamplesMaxAgeMillis)) * NS_PER_MS,
    newestNs: nowNs + BigInt(Math.round(limits.creationGracePeriodMillis)) * NS_PER_MS,
  };
}

/**
 * Validates one entry, in Loki's order (too old, too new, line size, structured-metadata size and count),
 * then, with `strict`, the stricter checks (empty or duplicate structured-metadata names, compared
 * after normalisation).
 * Returns the error message, or undefined when valid.
 */
export function validateEntry(
  entry: RawPushEntry,
  normalisedNames: readonly string[],
  stream: string,
  bounds: EntryTimeBounds,
  limits: ReceiverLimits,
  strict: boolean,
): string | undefined {
  const ts = entry.timestampNs;
  if (limits.rejectOldSamples && ts < bounds.oldestNs) {
    return `entry for stream '${stream}' has timestamp too old: ${formatRfc3339(ts)}, oldest acceptable timestamp is: ${formatRfc3339(bounds.oldestNs)}`;
  }
  if (ts > bounds.newestNs) return `entry for stream '${stream}' has timestamp too new: ${formatRfc3339(ts)}`;
  if (limits.maxLineBytes !== 0 && entry.lineBytes > limits.maxLineBytes) {
    return `Max entry size '${limits.maxLineBytes}' bytes exceeded for stream '${stream}' while adding an entry with length '${entry.lineBytes}' bytes`;
  }
  const smBytes = structuredMetadataBytes(entry.metadata);
  if (limits.maxStructuredMetadataBytes !== 0 && smBytes > limits.maxStructuredMetadataBytes) {
    return `stream '${stream}' has structured metadata too large: '${smBytes}' bytes, limit: '${limits.maxStructuredMetadataBytes}' bytes. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it.`;
  }
  if (limits.maxStructuredMetadataEntries !== 0 && entry.metadata.length > limits.maxStructuredMetadataEntries) {
    return `stream '${stream}' has too many structured metadata labels: '${entry.metadata.length}', limit: '${limits.maxStructuredMetadataEntries}'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it.`;
  }
  if (!strict || entry.metadata.length === 0) return undefined;
  // The usual handful of names is checked pair-wise: no Set per entry.
  const seen = entry.metadata.length > 16 ? new Set<string>() : undefined;
  for (let i = 0; i < entry.metadata.length; i++) {
    const original = entry.metadata[i]![0];
    const name = normalisedNames[i] ?? original;
    if (original === '') {
      return `entry for stream '${stream}' has structured metadata with an empty name (strict; Loki accepts it)`;
    }
    let duplicate = false;
    if (seen !== undefined) {
      duplicate = seen.has(name);
      seen.add(name);
    } else {
      for (let j = 0; j < i && !duplicate; j++) duplicate = (normalisedNames[j] ?? entry.metadata[j]![0]) === name;
    }
    if (duplicate) {
      return `entry for stream '${stream}' has duplicate structured metadata name: '${name}' (after normalisation; stricter than Loki, which accepts it)`;
    }
  }
  return undefined;
}

/**
 * Loki's grouped validation error text: identical messages collapsed; when there is more than one
 * message, each distinct one is prefixed `<count> errors like: ` and they are joined with `; `
 * (here in first-seen order; Loki's order is random).
 */
export function groupErrors(messages: readonly string[]): string {
  if (messages.length === 1) return messages[0]!;
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts].map(([m, c]) => `${c} errors like: ${m}`).join('; ');
}
