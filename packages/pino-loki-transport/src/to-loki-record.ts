import { isLabelField, type LokiEntryInput, type LokiTimestamp } from '@loki-sdk/core/adapter';
import { removeTopLevelKeys, splitFlatLabelKeys, splitTopLevelKeys } from './json-keys.js';

/** What the mapping needs; `messageKey`, `errorKey` and `levelNames` follow pino's config once it arrives. */
export interface MappingConfig {
  lineFormat: 'json' | 'message';
  labelPrefix: string;
  propsToLabels: readonly string[];
  metadataKey: string | undefined;
  timeKey: string;
  messageKey: string;
  errorKey: string;
  /** pino level number -> name, custom levels included. */
  levelNames: Record<string, string>;
  levelMap: Record<string, string> | undefined;
  replaceTimestamp: boolean;
  /** `hostname` becomes a label and leaves the line (pino-loki's). */
  hostnameLabel: boolean;
  /** Arrays in a JSON line become objects keyed by index (pino-loki's `convertArrays`). */
  convertArrays: boolean;
  /** pino-loki's `logFormat` template; wins over `lineFormat`. */
  logFormat: string | undefined;
  /**
   * Trace fields (`trace_id`, `span_id`, `trace_flags`, as traceMixin or instrumentation-pino write them): string
   * values leave the line and become structured metadata. Undefined: left in the line.
   */
  traceFields?: readonly string[];
}

/** pino's default levels, used until (or unless) pino sends its config to the worker. */
export const DEFAULT_LEVEL_NAMES: Record<string, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

type PinoObject = Record<string, unknown>;

/** Null prototype: fields named `constructor`, `__proto__`... are keys like any other. */
const newObject = (): PinoObject => Object.create(null) as PinoObject;
const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

/**
 * One line written by pino -> core's entry input (line, level, labels, metadata, time as pino wrote it). The line
 * stays as pino wrote it, minus label fields; a line that is not a JSON object is shipped as it is. Returns
 * undefined for blank lines.
 */
export function toLokiRecord(raw: string, config: MappingConfig): LokiEntryInput | undefined {
  if (raw.length === 0 || raw.trim().length === 0) return undefined;
  const fast = fastRecord(raw, config);
  if (fast !== undefined) return fast;
  let obj: PinoObject;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { line: raw };
    obj = parsed as PinoObject;
  } catch {
    return { line: raw };
  }

  const record: LokiEntryInput = { line: raw }; // the line is set below
  const level = levelName(obj.level, config);
  if (level !== undefined) record.level = level;
  // The time as pino wrote it: core reads it (its one rule, README "Timestamps") and counts what it cannot read.
  if (!config.replaceTimestamp) {
    const timestamp = obj[config.timeKey];
    if (timestamp !== undefined) record.timestamp = timestamp as LokiTimestamp;
  }

  let labels: Record<string, unknown> | undefined;
  for (const path of config.propsToLabels) {
    const value = getPath(obj, path);
    if (value !== undefined) (labels ??= newObject())[path] = value;
  }
  const prefix = config.labelPrefix;
  let hasLabelFields = false;
  if (prefix !== '') {
    for (const key in obj) {
      if (isLabelField(key, prefix)) {
        hasLabelFields = true;
        (labels ??= newObject())[key.slice(prefix.length)] = obj[key];
      }
    }
  }
  const hostname = config.hostnameLabel ? obj.hostname : undefined;
  if (hostname !== undefined) (labels ??= newObject()).hostname = hostname;
  if (labels !== undefined) record.labels = labels;

  let traced: PinoObject | undefined;
  for (const name of config.traceFields ?? []) {
    const value = obj[name];
    if (typeof value === 'string' && hasOwn(obj, name)) (traced ??= newObject())[name] = value;
  }

  const metadataKey = config.metadataKey;
  const fromMetadataKey = metadataKey === undefined ? undefined : obj[metadataKey];
  const hasMetadataObject =
    fromMetadataKey !== null && typeof fromMetadataKey === 'object' && !Array.isArray(fromMetadataKey);

  if (config.logFormat !== undefined) {
    record.line = formatLine(config.logFormat, obj, level, hostname !== undefined);
    if (hasMetadataObject) record.metadata = Object.assign(newObject(), fromMetadataKey);
    if (traced !== undefined) record.metadata = Object.assign(traced, record.metadata);
    return record;
  }

  if (config.lineFormat === 'message') {
    record.line = messageLine(obj, config);
    const metadata = messageMetadata(obj, config, hasMetadataObject ? (fromMetadataKey as PinoObject) : undefined);
    if (hostname !== undefined) delete metadata.hostname;
    record.metadata = metadata;
    return record;
  }

  if (hasMetadataObject) record.metadata = Object.assign(newObject(), fromMetadataKey);
  // The metadata object's own fields of those names win.
  if (traced !== undefined) record.metadata = Object.assign(traced, record.metadata);
  const leaves = (key: string): boolean =>
    isLabelField(key, prefix) ||
    (hasMetadataObject && key === metadataKey) ||
    (hostname !== undefined && key === 'hostname') ||
    (traced !== undefined && key in traced);
  if (config.convertArrays) {
    record.line = stringifyWithout(obj, leaves, arraysToObjects);
    return record;
  }
  if (!hasLabelFields && !hasMetadataObject && hostname === undefined && traced === undefined) {
    record.line = raw;
    return record;
  }
  record.line = removeTopLevelKeys(raw, leaves) ?? stringifyWithout(obj, leaves);
  return record;
}

const FAST_HEAD = '{"level":';
const FAST_TIME = ',"time":';

/**
 * The common line, `{"level":30,"time":1700000000000,...}`, needs only its level, its time and its
 * label fields: read them in place instead of JSON.parse (the worker's largest cost per line in the
 * bench profile); label fields are cut out of the text as the full path cuts them, and only their
 * values are parsed. Anything else — other keys first, `propsToLabels`, a metadata key, the message
 * format — takes the full path.
 */
function fastRecord(raw: string, config: MappingConfig): LokiEntryInput | undefined {
  if (config.lineFormat !== 'json' || config.hostnameLabel || config.convertArrays || config.logFormat !== undefined)
    return undefined;
  if (config.propsToLabels.length > 0 || config.metadataKey !== undefined || config.timeKey !== 'time')
    return undefined;
  if (!raw.startsWith(FAST_HEAD) || raw.charCodeAt(raw.length - 1) !== 0x7d) return undefined;
  const trace = config.traceFields;
  if (trace !== undefined && raw.includes(`"${trace[0]}":`)) return undefined; // a traced line: the full path lifts it
  const prefix = config.labelPrefix;
  let line = raw;
  let labels: Record<string, unknown> | undefined;
  if (prefix !== '' && raw.includes(prefix)) {
    const split = splitFlatLabelKeys(raw, prefix) ?? splitTopLevelKeys(raw, (key) => isLabelField(key, prefix));
    if (split === undefined) return undefined;
    if (split.removed.length > 0) {
      // A plain object: a null-prototype one is a dictionary, ~1.2 µs a line to make and fill (micro-benchmark),
      // so a `__proto__` label, the one name a plain object cannot hold as its own, takes the full path.
      labels = {};
      try {
        for (const [key, valueText] of split.removed) {
          const name = key.slice(prefix.length);
          if (name === '__proto__') return undefined;
          labels[name] = scalarValue(valueText);
        }
      } catch {
        return undefined; // not JSON after all: the full path decides
      }
      line = split.kept;
    }
  }
  let i = FAST_HEAD.length;
  let level = 0;
  const levelStart = i;
  for (let c = raw.charCodeAt(i); c >= 0x30 && c <= 0x39; c = raw.charCodeAt(++i)) level = level * 10 + (c - 0x30);
  if (i === levelStart || i - levelStart > 6 || !raw.startsWith(FAST_TIME, i)) return undefined;
  i += FAST_TIME.length;
  const timeStart = i;
  // The number read while scanned: Number(raw.slice(...)) made a string and parsed it again.
  let time = 0;
  for (let c = raw.charCodeAt(i); c >= 0x30 && c <= 0x39; c = raw.charCodeAt(++i)) time = time * 10 + (c - 0x30);
  const end = raw.charCodeAt(i);
  if (i === timeStart || i - timeStart > 15 || (end !== 0x2c && end !== 0x7d)) return undefined;
  const record: LokiEntryInput = { line };
  if (labels !== undefined) record.labels = labels;
  const name = levelName(level, config);
  if (name !== undefined) record.level = name;
  if (!config.replaceTimestamp) record.timestamp = time; // at most 15 digits: exact
  return record;
}

/** A JSON scalar's value: a string without escapes or control characters is its text between the quotes. */
function scalarValue(text: string): unknown {
  const last = text.length - 1;
  if (last < 1 || text.charCodeAt(0) !== 0x22 || text.charCodeAt(last) !== 0x22) return JSON.parse(text);
  for (let k = 1; k < last; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x5c || c < 0x20) return JSON.parse(text); // JSON.parse decodes or refuses it, as the full path does
  }
  return text.slice(1, last);
}

function levelName(value: unknown, config: MappingConfig): string | undefined {
  let name: string;
  if (typeof value === 'number') name = config.levelNames[value] ?? String(value);
  else if (typeof value === 'string' && value !== '') name = value;
  else return undefined;
  const map = config.levelMap;
  if (map === undefined) return name;
  return map[name] ?? (typeof value === 'number' ? map[String(value)] : undefined) ?? name;
}

function getPath(obj: PinoObject, path: string): unknown {
  if (hasOwn(obj, path)) return obj[path];
  if (!path.includes('.')) return undefined;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    // Own fields only: `req.toString` is not the method every object inherits.
    if (cur === null || typeof cur !== 'object' || !hasOwn(cur, part)) return undefined;
    cur = (cur as PinoObject)[part];
  }
  return cur;
}

function messageLine(obj: PinoObject, config: MappingConfig): string {
  const msg = obj[config.messageKey];
  if (typeof msg === 'string') return msg;
  if (msg === undefined || msg === null) {
    const err = obj[config.errorKey];
    if (err !== null && typeof err === 'object' && typeof (err as PinoObject).message === 'string')
      return (err as PinoObject).message as string;
    return '';
  }
  return typeof msg === 'object' ? JSON.stringify(msg) : String(msg);
}

function messageMetadata(
  obj: PinoObject,
  config: MappingConfig,
  fromKey: PinoObject | undefined,
): Record<string, unknown> {
  const prefix = config.labelPrefix;
  const metadata = newObject();
  for (const key in obj) {
    if (key === 'level' || key === config.timeKey || key === config.messageKey) continue;
    if (isLabelField(key, prefix)) continue;
    if (fromKey !== undefined && key === config.metadataKey) continue;
    if (config.propsToLabels.includes(key)) continue;
    metadata[key] = obj[key];
  }
  if (fromKey !== undefined) Object.assign(metadata, fromKey);
  return metadata;
}

function stringifyWithout(
  obj: PinoObject,
  leaves: (key: string) => boolean,
  replacer?: (key: string, value: unknown) => unknown,
): string {
  const out = newObject();
  for (const key in obj) if (!leaves(key)) out[key] = obj[key];
  return JSON.stringify(out, replacer);
}

/** pino-loki's `convertArrays`: `["a","b"]` -> `{"0":"a","1":"b"}`, at every depth. */
function arraysToObjects(_key: string, value: unknown): unknown {
  return Array.isArray(value) ? Object.fromEntries(value.map((item, index) => [index, item])) : value;
}

/**
 * pino-loki's `logFormat` template: `{path}` -> the record's field (`a.b`, `a[0]`, `{lokilevel}` the
 * level label), falsy or missing -> '' as pino-loki does; objects as JSON (pino-loki: `[object Object]`).
 * Like pino-loki, `hostname` is not there once it is a label.
 */
function formatLine(template: string, obj: PinoObject, level: string | undefined, hostnameIsLabel: boolean): string {
  return template.replace(/{([^{}]+)}/g, (_match, path: string) => {
    if (path === 'lokilevel') return level ?? '';
    if (hostnameIsLabel && path === 'hostname') return '';
    let cur: unknown = obj;
    for (const raw of path.split(/[.[\]]/g)) {
      const part = raw.replace(/["']/g, '');
      if (part.trim() === '') continue;
      if (cur === null || typeof cur !== 'object' || !hasOwn(cur, part)) return '';
      cur = (cur as PinoObject)[part];
    }
    if (cur === undefined || cur === null || cur === false || cur === '' || cur === 0) return '';
    return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
  });
}
