import {
  labelValueToString,
  metadataValueToString,
  timestampToWire,
  type LokiEntryInput,
} from '@loki-sdk/core/adapter';
import { LEVEL, MESSAGE, toLokiRecord } from './to-loki-record.js';
import type { RecordMapping } from './transport-options.js';

type Info = Record<string | symbol, unknown>;

/**
 * How one info crosses to the delivery worker, as text taken at the time of the call (the app may
 * change its objects right after).
 *
 * Common case, the info itself as JSON: every value is a string, a finite number, a boolean or
 * null, so JSON keeps it exactly and the worker maps the parsed copy as the main thread would
 * have. One `JSON.stringify` is all the main thread pays (none when the logger's json() format
 * already made that JSON); mapping and batching happen in the worker.
 *
 * Anything else (objects, Errors, BigInt, a colorized level, the transport's own `format`): the
 * record is mapped here, and every value JSON could not keep is turned to the text core would have
 * made of it (labelValueToString, metadataValueToString, messageToLine). `undefined` when the info
 * is plain; the caller then uses `plainInfoJson`.
 */
export function plainInfoJson(info: Info, loggerMadeJson: boolean): string | undefined {
  for (const key in info) {
    const value = info[key];
    const type = typeof value;
    if (type === 'string' || type === 'boolean' || type === 'undefined' || value === null) continue;
    if (type === 'number' && Number.isFinite(value)) continue;
    return undefined;
  }
  const level = info[LEVEL];
  if (level !== undefined && level !== info.level) return undefined;
  if (info instanceof Error) return undefined;
  // The logger's json() already wrote these same fields as JSON (keys sorted): no second serialization.
  const made = loggerMadeJson ? info[MESSAGE] : undefined;
  return typeof made === 'string' ? made : JSON.stringify(info);
}

/** The mapped entry with every value in a form JSON keeps and core reads the same way. */
export function recordJson(
  info: Info,
  mapping: RecordMapping,
  trace?: ReadonlyArray<readonly [string, string]>,
): string {
  const entry = toLokiRecord(info, mapping);
  let metadata = entry.metadata;
  if (trace !== undefined) {
    // The span's fields join the entry's metadata; a field of the entry's own of that name wins.
    const traced = Object.create(null) as Record<string, unknown>;
    for (const [name, value] of trace) traced[name] = value;
    metadata = Object.assign(traced, metadata);
  }
  const out: WireEntry = { line: entry.line };
  if (entry.level !== undefined) out.level = entry.level;
  if (entry.labels !== undefined) out.labels = textValues(entry.labels, labelValueToString);
  if (metadata !== undefined) out.metadata = textValues(metadata, metadataValueToString);
  if (entry.timestamp !== undefined) out.timestamp = timestampToWire(entry.timestamp);
  if (entry.lineIsMessage === true) out.lineIsMessage = true;
  return JSON.stringify(out);
}

/** An entry input as JSON keeps it: every value text (or a number), the time as ns digits or epoch ms. */
type WireEntry = Omit<LokiEntryInput, 'timestamp'> & { timestamp?: string | number };

function textValues(
  values: Readonly<Record<string, unknown>>,
  toText: (value: unknown) => string | undefined,
): Record<string, string> {
  // Null prototype: a field named `__proto__` is a key, not the prototype's setter.
  const out = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(values)) {
    const text = toText(values[key]);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

/** Worker side: one line of a chunk back to core's entry input. */
export function recordFromWire(line: string, isRecord: boolean, mapping: RecordMapping): LokiEntryInput {
  const parsed = JSON.parse(line) as Info;
  return isRecord ? (parsed as LokiEntryInput) : toLokiRecord(parsed, mapping);
}
