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
import { RawStreamCache } from './raw-stream-cache.js';
import type { ResolvedOptions } from './options.js';
import { isLooseMetadata, type LokiEntryInput } from './entry-input.js';
import type { LokiEntry, LokiRecord, StreamRef } from './record.js';
import { byteLength, mergeIntoLine } from './line-text.js';
import { messageToLine, metadataValueToString } from './safe-stringify.js';
import { nowNs, timestampToNs } from './timestamp.js';

/** Loki's structured metadata limits (Loki 3.4.6 defaults). */
const MAX_METADATA_PAIRS = 128;
const MAX_METADATA_BYTES = 65536;
const MAX_STREAMS_REMEMBERED = 10_000;
const ONE_MS_NS = 1_000_000n;
const NO_NAMES: readonly string[] = [];

export interface MapperCounters {
  labelsMovedToMetadata: number;
  metadataMovedToLine: number;
  linesTruncated: number;
  invalidTimestamps: number;
  /** Structured-metadata pairs dropped because their name had nothing usable (the empty name). */
  metadataNamesDropped: number;
}

/** The entry, or why it was dropped (no wrapper object around the entry: one allocation less per push). */
export type MapResult = LokiEntry | { dropped: 'line_too_long'; bytes: number };

/** entry input -> labels / metadata / line / timestamp: the first step of the data path. */
export class RecordMapper {
  private readonly streams = new Map<string, StreamRef>();
  private readonly levelStreams = new Map<string, StreamRef>();
  private readonly rawStreams = new RawStreamCache(MAX_STREAMS_REMEMBERED);
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

  /**
   * THE mapping of every entry, whichever way it came in (`pushEntry`, or `push` through entryInputOf). `trace`:
   * the active span's fields (trace-context.ts), added as metadata unless the entry names them itself. `loose`:
   * the record `input` was read from (push()): its `label_*` fields are labels after `input.labels` (a later one
   * wins), its other fields metadata after `input.metadata`, and a line made of its message is never merged into.
   */
  map(input: LokiEntryInput, trace?: ReadonlyArray<readonly [string, string]>, loose?: LokiRecord): MapResult {
    const { options } = this;
    const metadata: Array<[string, unknown]> = [];
    // Labels past Loki's limit (rare: made when needed).
    let overflow: Array<[string, string]> | undefined;
    // Typed for adapters, but a JS caller's level may be anything.
    const rawLevel: unknown = input.level;
    const level = typeof rawLevel === 'string' ? rawLevel : rawLevel === undefined ? undefined : String(rawLevel);
    const inputLabels = input.labels;
    const names = inputLabels !== null && typeof inputLabels === 'object' ? Object.keys(inputLabels) : NO_NAMES;
    const keys = loose === undefined ? NO_NAMES : Object.keys(loose);
    let hasLabelFields = false;
    for (const key of keys) {
      if (isLabelField(key)) {
        hasLabelFields = true;
        break;
      }
    }
    if (level !== undefined && level !== '' && options.levelLabel === false) metadata.push(['level', level]);

    let stream: StreamRef;
    if (names.length === 0 && !hasLabelFields && options.staticLabels.length < MAX_LABELS) {
      // Hot path (most entries): labels are the static ones plus the level: one cached stream per level.
      stream = this.levelStream(level);
    } else {
      // Entries with their own labels: the raw label values (strings and numbers) find a cached stream,
      // so a repeated label set skips sanitising, sorting and rendering.
      const node = this.rawStreams.nodeFor(level ?? '', names, inputLabels, hasLabelFields ? keys : NO_NAMES, loose);
      const cached = node?.stream;
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
            // A later source wins (static < level < the entry's labels < label_* fields).
            const at = labels.findIndex(([n]) => n === name);
            if (at >= 0) labels[at] = [name, value];
            else {
              const o = overflow === undefined ? -1 : overflow.findIndex(([n]) => n === name);
              if (o >= 0) overflow![o] = [name, value];
            }
            return;
          }
          seen.add(name);
          if (labels.length < MAX_LABELS) labels.push([name, value]);
          else (overflow ??= []).push([name, value]);
        };
        if (level !== undefined && level !== '' && options.levelLabel !== false) addLabel(options.levelLabel, level);
        for (const name of names) addLabel(name, inputLabels![name]);
        if (hasLabelFields) {
          for (const key of keys) if (isLabelField(key)) addLabel(key.slice(LABEL_FIELD_PREFIX.length), loose![key]);
        }
        stream = this.streamFor(labels);
        if (node !== undefined && overflow === undefined) this.rawStreams.store(node, stream);
      }
      // Cardinality guard: a demoted label's value goes to metadata, same name.
      const guarded = this.guard?.check(stream.labels, stream.key);
      if (guarded !== undefined) {
        stream = this.streamFor(guarded.labels);
        for (const [name, value] of guarded.demoted) metadata.push([name, value]); // copies: converted in place below
      }
    }

    const inputMetadata = input.metadata;
    if (inputMetadata !== null && typeof inputMetadata === 'object') {
      for (const key of Object.keys(inputMetadata)) {
        const value = inputMetadata[key];
        if (value !== undefined) metadata.push([key, value]);
      }
    }
    for (const key of keys) {
      if (!isLooseMetadata(key)) continue;
      const value = loose![key];
      if (value !== undefined) metadata.push([key, value]);
    }
    if (trace !== undefined) addTraceFields(metadata, trace);
    if (overflow !== undefined) {
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

    // Typed for adapters, but a JS caller's line may be anything.
    let line = typeof input.line === 'string' ? input.line : messageToLine(input.line);
    const lineIsText = input.lineIsMessage === true || (loose !== undefined && typeof loose.line !== 'string');
    let entryMetadata: Array<[string, string]> | undefined;
    let metadataBytes = 0;
    if (metadata.length > 0) {
      if (options.metadataMode === 'line') {
        line = mergeIntoLine(line, lineIsText, metadata);
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
        // Only when a name was dropped: setting an array's length is a runtime call even when it does not change.
        if (kept !== converted.length) converted.length = kept;
        // Over Loki's limits the entry would be rejected (400): keep the data, in the line.
        if (converted.length > MAX_METADATA_PAIRS || metadataBytes > MAX_METADATA_BYTES) {
          this.counters.metadataMovedToLine++;
          line = mergeIntoLine(line, lineIsText, converted);
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
    if (input.timestamp !== undefined && input.timestamp !== null) {
      ts = timestampToNs(input.timestamp);
      if (ts === undefined) this.counters.invalidTimestamps++;
    }
    ts ??= nowNs();
    // Tie-break: entries of a stream given the same (or a slightly earlier) time keep their order
    // and are not collapsed by Loki's duplicate detection. Genuinely older times (> 1 ms) are kept.
    if (ts <= stream.lastNs && stream.lastNs - ts < ONE_MS_NS) ts = stream.lastNs + 1n;
    if (ts > stream.lastNs) stream.lastNs = ts;

    return { stream, timestampNs: ts, line, metadata: entryMetadata, bytes: lineBytes + metadataBytes, seq: 0 };
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
    // The entry's own field wins: an app that logs a trace id on purpose means that one.
    if (!metadata.some(([name]) => name === pair[0])) metadata.push([pair[0], pair[1]]);
  }
}
