import { isLabelField, labelValueToString } from './labels.js';
import type { LokiRecord } from './record.js';
import { messageToLine } from './safe-stringify.js';
import type { LokiTimestamp } from './timestamp.js';

/**
 * One entry as an adapter hands it to core (`pushEntry`), already separated: no `label_` field names, no
 * reserved keys. Core applies every rule to it (label and metadata names, limits, the time rule, trace context,
 * the cardinality guard), as it does to a record given to `push()`. A type alias, not an interface: an entry
 * input is also a `LokiRecord` (what `push()` takes).
 */
export type LokiEntryInput = {
  /** The log line, as it is stored. A line that is a JSON object takes the metadata in `metadataMode: 'line'`. */
  line: string;
  /** The level: the level label (option `levelLabel`), or metadata `level` with `levelLabel: false`. */
  level?: string;
  /** Stream labels (after the client's static ones, which they override); names sanitised, values as text. */
  labels?: Readonly<Record<string, unknown>>;
  /** Structured metadata; names by core's metadata name rule, values as text. */
  metadata?: Readonly<Record<string, unknown>>;
  /** By core's one time rule (`timestampToNs`); missing or unreadable: now (the latter counted). */
  timestamp?: LokiTimestamp;
  /**
   * `true`: the line is a message, not a JSON object even when it looks like one: metadata that goes into the
   * line (`metadataMode: 'line'`, or past Loki's metadata limits) wraps it as `message` instead of merging into it.
   */
  lineIsMessage?: boolean;
};

/** The record keys with a meaning of their own; every other field is a label field or metadata. */
const RESERVED = new Set(['line', 'message', 'level', 'timestamp', 'labels', 'metadata', 'lineIsMessage']);

/**
 * A record given to `push()` as an entry input: `line`, or else its message as text; its level, time, `labels`
 * and `metadata` objects and its `lineIsMessage` as they are (read, never copied or written). Its other fields
 * are the record's own (`label_*` fields after the labels, any other field after the metadata): the mapper reads
 * them off the record itself (`loose` of RecordMapper.map), so a record costs no copy of its fields.
 */
export function entryInputOf(record: LokiRecord): LokiEntryInput {
  const { labels, metadata } = record;
  // One shape for every record (undefined where absent). A JS caller's level may be no string: the mapper makes
  // it one, as it always did.
  return {
    line: typeof record.line === 'string' ? record.line : messageToLine(record.message),
    level: record.level,
    labels: labels !== null && typeof labels === 'object' ? labels : undefined,
    metadata: metadata !== null && typeof metadata === 'object' ? metadata : undefined,
    timestamp: record.timestamp ?? undefined,
    lineIsMessage: record.lineIsMessage === true ? true : undefined,
  };
}

/** A loose record's field that is metadata: not a key of the entry input, not a `label_*` field. */
export function isLooseMetadata(key: string): boolean {
  return !RESERVED.has(key) && !isLabelField(key);
}

/**
 * The labels of an entry input made of a `labels` object and label fields (names without their prefix), ranked as
 * push() ranks a record's `labels` object and its `label_*` fields: a field wins over the object's label of that
 * name and comes after the object's labels; a field whose value makes no label (empty, null, undefined) overrides
 * nothing. Either given alone is returned as it is; neither is written.
 */
export function labelsWithFields(
  labels: Readonly<Record<string, unknown>> | undefined,
  fields: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (fields === undefined) return labels;
  if (labels === undefined) return fields;
  // Null prototype: a label named `__proto__` is a key like any other.
  const out = Object.assign(Object.create(null) as Record<string, unknown>, labels);
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (labelValueToString(value) === undefined) {
      if (!Object.prototype.hasOwnProperty.call(out, name)) out[name] = value;
      continue;
    }
    // The object's label of that name made none: the field's comes after the object's labels, as push() orders it.
    if (Object.prototype.hasOwnProperty.call(out, name) && labelValueToString(out[name]) === undefined)
      delete out[name];
    out[name] = value;
  }
  return out;
}
