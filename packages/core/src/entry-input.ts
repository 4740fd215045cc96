import { isLabelField } from './labels.js';
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
};

/** The record keys with a meaning of their own; every other field is a label field or metadata. */
const RESERVED = new Set(['line', 'message', 'level', 'timestamp', 'labels', 'metadata']);

/**
 * A record given to `push()` as an entry input: `line`, or else its message as text; its level, time, `labels`
 * and `metadata` objects as they are (read, never copied or written). Its other fields are the record's own
 * (`label_*` fields after the labels, any other field after the metadata): the mapper reads them off the record
 * itself (`loose` of RecordMapper.map), so a record costs no copy of its fields.
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
  };
}

/** A loose record's field that is metadata: not a key of the entry input, not a `label_*` field. */
export function isLooseMetadata(key: string): boolean {
  return !RESERVED.has(key) && !isLabelField(key);
}
