import {
  isLabelField,
  labelsWithFields,
  LABEL_FIELD_PREFIX,
  messageToLine,
  timestampToNs,
  type LokiEntryInput,
  type LokiTimestamp,
} from '@loki-sdk/core/adapter';
import { stringifyFields } from './safe-json.js';
import type { RecordMapping } from './transport-options.js';

// triple-beam's keys, spelled out so the data path needs no require of triple-beam.
export const LEVEL = Symbol.for('level');
export const MESSAGE = Symbol.for('message');
/** Label fields lifted off a copy of info before the transport's `format` ran (see label-lifting-format.ts). */
export const LIFTED_LABELS = Symbol('winston-loki-transport.labels');

export interface LiftedLabels {
  labels?: Record<string, unknown>;
  fields: Array<[string, unknown]>;
}

type Info = Record<string | symbol, unknown>;

/** Null prototype: fields named `constructor`, `__proto__`... are keys like any other. */
const newFields = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;

/**
 * A field of a plain object (label fields by label name, the json line's fields): a null-prototype object is a
 * dictionary in V8, ~3 times the cost of the whole mapping to fill and slower to stringify; `__proto__` is
 * defined as an own key, never the prototype. Read only by own keys (Object.keys, hasOwnProperty, JSON).
 */
function setField(fields: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__')
    Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
  else fields[name] = value;
}

/**
 * winston info -> core's entry input. Reads info, never writes it: winston hands the same object to every
 * transport. Labels: static (core option) < `labels` object < `label_*` fields, ranked by core's rule
 * (labelsWithFields).
 */
export function toLokiRecord(info: Info, mapping: RecordMapping): LokiEntryInput {
  const rawLevel = info[LEVEL] ?? info.level; // info.level may be colorized by the logger's format
  const level = typeof rawLevel === 'string' ? rawLevel : rawLevel === undefined ? undefined : String(rawLevel);

  const formatted = mapping.useFormat ? info[MESSAGE] : undefined;
  const lineFromFormat = typeof formatted === 'string';
  const { lineFormat } = mapping;
  const message = info.message;

  // json: fields are laid out straight into the line object, message first.
  let fields: Record<string, unknown> | undefined;
  let fieldCount = 0;
  let hasObjectValue = false;
  if (!lineFromFormat && lineFormat === 'json') {
    fields = {};
    if (message !== undefined) {
      fields.message = message;
      if (typeof message === 'object' && message !== null) hasObjectValue = true;
    }
  }
  if (!lineFromFormat && level !== undefined && !mapping.levelAsLabel) {
    (fields ??= {}).level = level;
    fieldCount++;
  }

  // Label fields by label name (the field's name without `label_`), in the order they came.
  let labelFields: Record<string, unknown> | undefined;
  let labels: Record<string, unknown> | undefined;
  /** useWinstonMetaAsLabels and a field named '' (no label name): metadata named `label_`, as core reads it. */
  let unnamed: Record<string, unknown> | undefined;
  let timestamp: LokiTimestamp | undefined;
  const keys = Object.keys(info);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === 'message' || key === 'level') continue;
    const value = info[key];
    if (isLabelField(key)) {
      setField((labelFields ??= {}), key.slice(LABEL_FIELD_PREFIX.length), value);
      continue;
    }
    if (key === 'labels' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      labels = value as Record<string, unknown>;
      continue;
    }
    if (key === 'timestamp' && mapping.useTimestamp) {
      // Core's one time rule (core README "Timestamps"), read here to know whether the field is spent.
      const ns = timestampToNs(value);
      if (ns !== undefined) {
        timestamp = ns;
        continue;
      }
      // Not a plausible time: core gives the entry "now" and counts it; the text stays in the line.
      timestamp = value as LokiTimestamp;
    }
    if (mapping.metaAsLabels && !mapping.ignoredMeta.has(key)) {
      if (key === '') (unnamed = newFields())[LABEL_FIELD_PREFIX] = value;
      else setField((labelFields ??= {}), key, value);
      continue;
    }
    if (lineFromFormat || value === undefined) continue;
    setField((fields ??= {}), key, value);
    fieldCount++;
    if (typeof value === 'object' && value !== null) hasObjectValue = true;
  }

  // logger.error(err) without the errors() format: info is the Error itself, its stack not enumerable.
  if (!lineFromFormat && info instanceof Error && typeof info.stack === 'string' && !keys.includes('stack')) {
    (fields ??= {}).stack = info.stack;
    fieldCount++;
  }

  const lifted = info[LIFTED_LABELS] as LiftedLabels | undefined;
  if (lifted !== undefined) {
    if (lifted.labels !== undefined) labels = { ...lifted.labels, ...labels };
    for (const [key, value] of lifted.fields) {
      const name = key.slice(LABEL_FIELD_PREFIX.length);
      labelFields ??= {};
      if (!Object.prototype.hasOwnProperty.call(labelFields, name)) setField(labelFields, name, value);
    }
  }

  let entry: LokiEntryInput;
  if (lineFromFormat) {
    entry = { line: formatted };
  } else if (lineFormat === 'json') {
    entry = { line: stringifyFields(fields!, hasObjectValue) };
  } else if (lineFormat === 'text') {
    const text = messageToLine(message);
    entry = { line: fieldCount === 0 ? text : `${text} ${stringifyFields(fields!, hasObjectValue)}` };
  } else {
    // The message is the line, never read as JSON; the fields are its structured metadata.
    entry = { line: messageToLine(message), lineIsMessage: true };
    if (fields !== undefined) entry.metadata = fields;
  }
  if (level !== undefined && mapping.levelAsLabel) entry.level = level;
  const entryLabels = labelsWithFields(labels, labelFields);
  if (entryLabels !== undefined) entry.labels = entryLabels;
  if (unnamed !== undefined) entry.metadata = { ...entry.metadata, ...unnamed };
  if (timestamp !== undefined) entry.timestamp = timestamp;
  return entry;
}
