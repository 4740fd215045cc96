import { LokiError } from './errors.js';
import {
  MAX_LABELS,
  LABEL_FIELD_PREFIX,
  canonicalLabels,
  isLabelField,
  labelValueToString,
  metadataName,
  sanitizeLabelName,
  truncateUtf8,
} from './labels.js';
import { guardFor, type LabelGuard } from './label-guard.js';
import type { ResolvedOptions } from './options.js';
import type { LokiEntry, LokiRecord, StreamRef } from './record.js';
import { messageToLine, metadataValueToString, safeStringify } from './safe-stringify.js';
import { nowNs, timestampToNs } from './timestamp.js';

/** Loki's structured metadata limits (Loki 3.4.6 defaults). */
const MAX_METADATA_PAIRS = 128;
const MAX_METADATA_BYTES = 65536;
const MAX_STREAMS_REMEMBERED = 10_000;
const ONE_MS_NS = 1_000_000n;

const RESERVED = new Set(['line', 'message', 'level', 'timestamp', 'labels', 'metadata']);

export interface MapperCounters {
  labelsMovedToMetadata: number;
  metadataMovedToLine: number;
  linesTruncated: number;
  invalidTimestamps: number;
  /** Structured-metadata pairs dropped because their name had nothing usable (the empty name). */
  metadataNamesDropped: number;
}

export type MapResult = { entry: LokiEntry } | { dropped: 'line_too_long'; bytes: number };

/** record -> labels / metadata / line / timestamp: the first step of the data path. */
export class RecordMapper {
  private readonly streams = new Map<string, StreamRef>();
  private readonly levelStreams = new Map<string, StreamRef>();
  private readonly rawStreams = new Map<string, StreamRef>();
  private readonly warnedLabels = new Set<string>();
  readonly counters: MapperCounters = {
    labelsMovedToMetadata: 0,
    metadataMovedToLine: 0,
    linesTruncated: 0,
    invalidTimestamps: 0,
    metadataNamesDropped: 0,
  };

  readonly guard: LabelGuard | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly report: (error: LokiError) => void,
  ) {
    this.guard = guardFor(options, report);
  }

  /** `trace`: the active span's fields (trace-context.ts), added as metadata unless the record names them itself. */
  map(record: LokiRecord, trace?: ReadonlyArray<readonly [string, string]>): MapResult {
    const { options } = this;
    const metadata: Array<[string, unknown]> = [];
    const overflow: Array<[string, string]> = [];
    const keys = Object.keys(record);
    const level =
      typeof record.level === 'string' ? record.level : record.level === undefined ? undefined : String(record.level);
    const recordLabels = record.labels;
    const hasRecordLabels =
      recordLabels !== null && typeof recordLabels === 'object' && Object.keys(recordLabels).length > 0;
    let hasLabelFields = false;
    for (const key of keys) {
      if (isLabelField(key)) {
        hasLabelFields = true;
        break;
      }
    }
    if (level !== undefined && level !== '' && options.levelLabel === false) metadata.push(['level', level]);

    let stream: StreamRef;
    if (!hasRecordLabels && !hasLabelFields && options.staticLabels.length < MAX_LABELS) {
      // Hot path (most records): labels are the static ones plus the level: one cached stream per level.
      stream = this.levelStream(level);
    } else {
      // Records with their own labels: the raw label values (strings and numbers) form a cache key,
      // so a repeated label set skips sanitising, sorting and rendering.
      let rawKey: string | undefined = level ?? '';
      if (hasRecordLabels) {
        for (const name of Object.keys(recordLabels)) rawKey = appendRaw(rawKey, '\u0001', name, recordLabels[name]);
      }
      for (const key of keys) {
        if (isLabelField(key)) rawKey = appendRaw(rawKey, '\u0002', key, record[key]);
      }
      const cached = rawKey === undefined ? undefined : this.rawStreams.get(rawKey);
      if (cached !== undefined) {
        stream = cached;
      } else {
        const labels: Array<[string, string]> = [...options.staticLabels];
        const seen = new Set<string>(labels.map(([name]) => name));
        const addLabel = (rawName: string, rawValue: unknown): void => {
          const name = sanitizeLabelName(rawName);
          const value = labelValueToString(rawValue);
          if (name === undefined || value === undefined) return;
          if (seen.has(name)) {
            // A later source wins (static < labels object < label_* fields).
            const at = labels.findIndex(([n]) => n === name);
            if (at >= 0) labels[at] = [name, value];
            else {
              const o = overflow.findIndex(([n]) => n === name);
              if (o >= 0) overflow[o] = [name, value];
            }
            return;
          }
          seen.add(name);
          if (labels.length < MAX_LABELS) labels.push([name, value]);
          else overflow.push([name, value]);
        };
        if (level !== undefined && level !== '' && options.levelLabel !== false) addLabel(options.levelLabel, level);
        if (hasRecordLabels) for (const name of Object.keys(recordLabels)) addLabel(name, recordLabels[name]);
        for (const key of keys) {
          if (isLabelField(key)) addLabel(key.slice(LABEL_FIELD_PREFIX.length), record[key]);
        }
        stream = this.streamFor(labels);
        if (rawKey !== undefined && overflow.length === 0) {
          if (this.rawStreams.size >= MAX_STREAMS_REMEMBERED) this.rawStreams.clear();
          this.rawStreams.set(rawKey, stream);
        }
      }
      // Cardinality guard: a demoted label's value goes to metadata, same name.
      const guarded = this.guard?.check(stream.labels, stream.key);
      if (guarded !== undefined) {
        stream = this.streamFor(guarded.labels);
        for (const [name, value] of guarded.demoted) metadata.push([name, value]); // copies: converted in place below
      }
    }

    const addMetadata = (key: string, value: unknown): void => {
      if (value === undefined) return;
      metadata.push([key, value]);
    };
    const recordMetadata = record.metadata;
    if (recordMetadata !== null && typeof recordMetadata === 'object') {
      for (const key of Object.keys(recordMetadata)) addMetadata(key, recordMetadata[key]);
    }
    for (const key of keys) {
      if (RESERVED.has(key) || isLabelField(key)) continue;
      addMetadata(key, record[key]);
    }
    if (trace !== undefined) addTraceFields(metadata, trace);
    if (overflow.length > 0) {
      this.counters.labelsMovedToMetadata += overflow.length;
      for (const [name, value] of overflow) {
        metadata.push([name, value]);
        if (!this.warnedLabels.has(name) && this.warnedLabels.size < 1000) {
          this.warnedLabels.add(name);
          this.report(
            new LokiError(
              'ERR_LOKI_LABEL_LIMIT',
              `Loki allows ${MAX_LABELS} labels per stream; label "${name}" was moved to metadata`,
            ),
          );
        }
      }
    }

    let line = typeof record.line === 'string' ? record.line : messageToLine(record.message);
    let entryMetadata: Array<[string, string]> | undefined;
    let metadataBytes = 0;
    if (metadata.length > 0) {
      if (options.metadataMode === 'line') {
        line = mergeIntoLine(line, record, metadata);
      } else {
        // Converted in place: one array per entry, not two.
        const converted = metadata as unknown as Array<[string, string]>;
        let kept = 0;
        for (let i = 0; i < converted.length; i++) {
          const pair = converted[i]!;
          const name = metadataName(pair[0]);
          if (name === undefined) {
            this.counters.metadataNamesDropped++;
            continue;
          }
          pair[0] = name;
          pair[1] = metadataValueToString(pair[1]);
          metadataBytes += byteLength(pair[0]) + byteLength(pair[1]);
          converted[kept++] = pair;
        }
        converted.length = kept;
        // Over Loki's limits the entry would be rejected (400): keep the data, in the line.
        if (converted.length > MAX_METADATA_PAIRS || metadataBytes > MAX_METADATA_BYTES) {
          this.counters.metadataMovedToLine++;
          line = mergeIntoLine(line, record, converted);
          metadataBytes = 0;
        } else if (kept > 0) {
          entryMetadata = converted;
        }
      }
    }

    let lineBytes = byteLength(line);
    if (lineBytes > options.maxLineBytes) {
      if (options.oversizedLine === 'drop') return { dropped: 'line_too_long', bytes: lineBytes };
      line = truncateUtf8(line, options.maxLineBytes);
      lineBytes = byteLength(line);
      this.counters.linesTruncated++;
    }

    let ts: bigint | undefined;
    if (record.timestamp !== undefined && record.timestamp !== null) {
      ts = timestampToNs(record.timestamp);
      if (ts === undefined) this.counters.invalidTimestamps++;
    }
    ts ??= nowNs();
    // Tie-break: entries of a stream given the same (or a slightly earlier) time keep their order
    // and are not collapsed by Loki's duplicate detection. Genuinely older times (> 1 ms) are kept.
    if (ts <= stream.lastNs && stream.lastNs - ts < ONE_MS_NS) ts = stream.lastNs + 1n;
    if (ts > stream.lastNs) stream.lastNs = ts;

    return {
      entry: { stream, timestampNs: ts, line, metadata: entryMetadata, bytes: lineBytes + metadataBytes, seq: 0 },
    };
  }

  private streamFor(labels: Array<[string, string]>): StreamRef {
    // Loki refuses a stream without labels unless its service-name discovery fills one in; do what
    // that default does, so the entry is stored whatever the server's configuration.
    if (labels.length === 0) labels.push(['service_name', 'unknown_service']);
    return this.streamByKey(canonicalLabels(labels), labels);
  }

  private levelStream(level: string | undefined): StreamRef {
    const cacheKey = level ?? '';
    let stream = this.levelStreams.get(cacheKey);
    if (stream === undefined) {
      const { levelLabel, staticLabels } = this.options;
      const value = level === undefined ? undefined : labelValueToString(level);
      const labels: Array<[string, string]> =
        levelLabel !== false && value !== undefined
          ? [...staticLabels.filter(([name]) => name !== levelLabel), [levelLabel, value]]
          : [...staticLabels];
      stream = this.streamFor(labels);
      if (this.levelStreams.size >= 1000) this.levelStreams.clear();
      this.levelStreams.set(cacheKey, stream);
    }
    return stream;
  }

  /**
   * The time of an entry replayed from disk, by the same rule (a segment may predate it): now when out of
   * range, counted.
   */
  replayTime(ns: bigint): bigint {
    if (timestampToNs(ns) !== undefined) return ns;
    this.counters.invalidTimestamps++;
    return nowNs();
  }

  /** The stream of a canonical key (also for entries replayed from disk). */
  streamByKey(key: string, labels: ReadonlyArray<readonly [string, string]>): StreamRef {
    let stream = this.streams.get(key);
    if (stream === undefined) {
      if (this.streams.size >= MAX_STREAMS_REMEMBERED) {
        this.streams.clear();
        this.levelStreams.clear(); // they point into the same stream objects
        this.rawStreams.clear();
      }
      stream = { key, labels: [...labels].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)), lastNs: 0n };
      this.streams.set(key, stream);
    }
    return stream;
  }
}

function addTraceFields(metadata: Array<[string, unknown]>, trace: ReadonlyArray<readonly [string, string]>): void {
  for (const pair of trace) {
    // The record's own field wins: an app that logs a trace id on purpose means that one.
    if (!metadata.some(([name]) => name === pair[0])) metadata.push([pair[0], pair[1]]);
  }
}

/** Extends a label cache key; undefined (no caching) when a value is not a plain string or number. */
function appendRaw(rawKey: string | undefined, kind: string, name: string, value: unknown): string | undefined {
  if (rawKey === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return `${rawKey}${kind}${name}\u0003${value}`;
  return undefined;
}

/** UTF-8 length; a JS loop beats the native call for the short ASCII strings most fields are. */
function byteLength(text: string): number {
  if (text.length > 64) return Buffer.byteLength(text);
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return Buffer.byteLength(text);
  }
  return text.length;
}

function mergeIntoLine(line: string, record: LokiRecord, metadata: Array<[string, unknown]>): string {
  // When the line is already a JSON object (a pino record, say), merge into it; else wrap it.
  // Null prototype: fields named `constructor`, `toString`, `__proto__`... are keys like any other.
  const out = Object.create(null) as Record<string, unknown>;
  if (typeof record.line === 'string' && line.startsWith('{') && line.endsWith('}')) {
    try {
      Object.assign(out, JSON.parse(line) as object);
    } catch {
      out.message = line;
    }
  } else {
    out.message = line;
  }
  for (const [k, v] of metadata) if (!Object.prototype.hasOwnProperty.call(out, k)) out[k] = v;
  return safeStringify(out);
}
