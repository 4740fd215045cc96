import { entryInputOf, isLooseMetadata, labelsWithFields, type LokiEntryInput } from './entry-input.js';
import { isLabelField, LABEL_FIELD_PREFIX, labelValueToString } from './labels.js';
import type { LokiRecord } from './record.js';
import { metadataValueToString, safeStringify } from './safe-stringify.js';
import { timestampToWire } from './timestamp.js';

/**
 * How one SDK call crosses to the delivery worker (option `worker`): the record the call made, separated on this
 * thread as RecordMapper.map separates a record given to push() (its `labels` then `label_*` fields; its
 * `metadata` then its other fields; the line its `line`, else its message as text) and written as JSON at the time
 * of the call, so the app may change its objects right after. Values JSON could not keep are the text core would
 * have made of them; in metadataMode 'line' metadata values stay values (core's safe JSON), as the line takes them.
 * The worker reads it back with `sdkEntryFromText` and core maps it with every rule, as in-thread.
 */
export function sdkEntryText(
  record: LokiRecord,
  valuesAsText: boolean,
  trace?: ReadonlyArray<readonly [string, string]>,
): string {
  const input = entryInputOf(record);
  const out: Wire = { line: input.line };
  if (input.level !== undefined) out.level = typeof input.level === 'string' ? input.level : String(input.level);
  // A line made of the message is text, never merged into as JSON (RecordMapper.map's `lineIsText`).
  if (input.lineIsMessage === true || typeof record.line !== 'string') out.lineIsMessage = true;
  let fields: Record<string, unknown> | undefined;
  const metadata = Object.create(null) as Record<string, unknown>;
  const own = input.metadata;
  if (own !== undefined) for (const key of Object.keys(own)) addValue(metadata, key, own[key], valuesAsText);
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (isLabelField(key))
      (fields ??= Object.create(null) as Record<string, unknown>)[key.slice(LABEL_FIELD_PREFIX.length)] = value;
    else if (isLooseMetadata(key)) addValue(metadata, key, value, valuesAsText);
  }
  // The span's fields after the entry's own, which win (as core adds them in-thread).
  if (trace !== undefined) for (const [name, value] of trace) if (!(name in metadata)) metadata[name] = value;
  if (Object.keys(metadata).length > 0) out.metadata = metadata;
  const labels = labelsWithFields(input.labels, fields);
  if (labels !== undefined) {
    const text = Object.create(null) as Record<string, string>;
    for (const name of Object.keys(labels)) {
      const value = labelValueToString(labels[name]);
      if (value !== undefined) text[name] = value;
    }
    out.labels = text;
  }
  if (input.timestamp !== undefined) out.timestamp = timestampToWire(input.timestamp);
  return valuesAsText ? JSON.stringify(out) : safeStringify(out);
}

/** Worker side: the text back to core's entry input. */
export function sdkEntryFromText(text: string): LokiEntryInput {
  return JSON.parse(text) as LokiEntryInput;
}

/**
 * The text of a call whose record could not be read (a throwing getter): the worker's entry throws the same
 * message when core maps it, so core counts and reports it as push() does in-thread (`invalid_record`).
 */
export function invalidSdkEntryText(error: unknown): string {
  let text: string;
  try {
    text = (error as Error)?.message ?? String(error);
  } catch {
    text = 'unreadable error';
  }
  return JSON.stringify(text);
}

/** Worker side: an entry that throws `invalidSdkEntryText`'s message when read. */
export function invalidSdkEntry(text: string): LokiEntryInput {
  const message = JSON.parse(text) as string;
  const fail = (): never => {
    throw new Error(message);
  };
  return Object.defineProperties({}, { level: { get: fail }, line: { get: fail } }) as LokiEntryInput;
}

/** An entry input as JSON keeps it. */
type Wire = Omit<LokiEntryInput, 'timestamp'> & { timestamp?: string | number };

/**
 * A name given twice (in `metadata` and as a field) is two pairs in-thread: Loki keeps the later one, the line
 * (metadataMode 'line') the first; one key here, so the one that would be stored.
 */
function addValue(out: Record<string, unknown>, key: string, value: unknown, asText: boolean): void {
  if (value === undefined) return;
  if (asText) out[key] = metadataValueToString(value);
  else if (!Object.prototype.hasOwnProperty.call(out, key)) out[key] = value;
}
