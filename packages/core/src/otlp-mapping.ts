import type { ResolvedOptions } from './options.js';
import type { LokiEntry, StreamRef } from './record.js';

// THE entry -> OTLP log record rules (README "OTLP out"), shared by the protobuf and the JSON encoder:
// stream labels (static and `label_*`) -> resource attributes, `service_name` (else `app`) as
// `service.name`; the level -> severity text and number; metadata -> record attributes, but the trace
// context -> the record's own trace_id/span_id/flags.

/** What the mapping reads of the client's options. */
export type OtlpMappingOptions = Pick<ResolvedOptions, 'levelLabel' | 'traceContext'>;

/** One resource: the attributes of a stream's labels without its level. */
export interface OtlpResource {
  /** Canonical text of the attributes: streams that differ only in level share one resource. */
  readonly key: string;
  readonly attributes: ReadonlyArray<readonly [string, string]>;
}

export interface OtlpRecord {
  readonly timeUnixNano: bigint;
  /** OpenTelemetry's SeverityNumber; 0 (unspecified) for a level it does not know or no level. */
  readonly severityNumber: number;
  readonly severityText: string | undefined;
  readonly body: string;
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  /** 32 and 16 lowercase hex digits, or undefined. */
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** W3C trace flags (the low byte of the record's flags), or 0. */
  readonly flags: number;
}

export interface OtlpResourceGroup {
  readonly resource: OtlpResource;
  readonly records: OtlpRecord[];
}

/** OpenTelemetry's SeverityNumber for the level names of pino, winston (npm and syslog) and Loki. */
const SEVERITY: Readonly<Record<string, number>> = {
  trace: 1,
  silly: 1,
  debug: 5,
  verbose: 6, // DEBUG2, as @opentelemetry/winston-transport maps it
  http: 7, // DEBUG3
  info: 9,
  information: 9,
  notice: 10, // INFO2
  warn: 13,
  warning: 13,
  error: 17,
  err: 17,
  fatal: 21,
  crit: 21,
  critical: 21,
  panic: 21,
  alert: 22, // FATAL2
  emerg: 23, // FATAL3
  emergency: 23,
};

export function severityNumber(level: string): number {
  return SEVERITY[level] ?? SEVERITY[level.toLowerCase()] ?? 0;
}

/** The label whose value becomes `service.name`, in order of preference. */
const SERVICE_LABELS = ['service_name', 'app'] as const;
export const SERVICE_NAME = 'service.name';

interface StreamView {
  /** The one option the view depends on. */
  readonly levelLabel: string | false;
  readonly resource: OtlpResource;
  readonly level: string | undefined;
}

/** Per stream object, computed once: a stream's labels never change. */
const views = new WeakMap<StreamRef, StreamView>();

function streamView(stream: StreamRef, levelLabel: string | false): StreamView {
  const cached = views.get(stream);
  if (cached !== undefined && cached.levelLabel === levelLabel) return cached;
  let level: string | undefined;
  const labels: Array<readonly [string, string]> = [];
  for (const pair of stream.labels) {
    if (levelLabel !== false && pair[0] === levelLabel) level = pair[1];
    else labels.push(pair);
  }
  const service = SERVICE_LABELS.find((name) => labels.some(([n]) => n === name));
  const attributes = labels.map(([name, value]): readonly [string, string] =>
    name === service ? [SERVICE_NAME, value] : [name, value],
  );
  // Labels are sorted and sanitized (no `"` in names); values are escaped by JSON.stringify.
  const resource = { key: JSON.stringify(attributes), attributes };
  const view = { levelLabel, resource, level };
  views.set(stream, view);
  return view;
}

const HEX = /^[0-9a-f]+$/;

function hexOf(value: string, digits: number): string | undefined {
  if (value.length !== digits) return undefined;
  const lower = value.toLowerCase();
  return HEX.test(lower) && !/^0+$/.test(lower) ? lower : undefined;
}

/** An entry as an OTLP log record. The trace fields move out of the attributes only when well-formed. */
export function otlpRecord(entry: LokiEntry, level: string | undefined, options: OtlpMappingOptions): OtlpRecord {
  const metadata = entry.metadata ?? [];
  const trace = options.traceContext;
  const levelInMetadata = options.levelLabel === false;
  let traceId: string | undefined;
  let spanId: string | undefined;
  let flags = 0;
  let attributes: ReadonlyArray<readonly [string, string]> = metadata;
  let kept: Array<readonly [string, string]> | undefined;
  for (let i = 0; i < metadata.length; i++) {
    const pair = metadata[i]!;
    const [name, value] = pair;
    let lifted = false;
    if (levelInMetadata && name === 'level' && level === undefined) {
      level = value;
      lifted = true;
    } else if (trace !== false) {
      if (name === trace.traceId && traceId === undefined) lifted = (traceId = hexOf(value, 32)) !== undefined;
      else if (name === trace.spanId && spanId === undefined) lifted = (spanId = hexOf(value, 16)) !== undefined;
      else if (name === trace.traceFlags && /^[0-9a-fA-F]{1,2}$/.test(value)) {
        flags = parseInt(value, 16);
        lifted = true;
      }
    }
    // Copied only when a field moves out (the usual entry, with no trace context, keeps its own array).
    if (lifted && kept === undefined) kept = metadata.slice(0, i);
    else if (!lifted && kept !== undefined) kept.push(pair);
  }
  if (kept !== undefined) attributes = kept;
  return {
    // An entry before 1970 has no unsigned nanosecond time: 0 is OTLP's "unknown" (the receiver's time).
    timeUnixNano: entry.timestampNs > 0n ? entry.timestampNs : 0n,
    severityNumber: level === undefined ? 0 : severityNumber(level),
    severityText: level,
    body: entry.line,
    attributes,
    traceId,
    spanId,
    flags,
  };
}

/** Entries by resource, in arrival order; each as its OTLP record. */
export function groupByResource(entries: Iterable<LokiEntry>, options: OtlpMappingOptions): OtlpResourceGroup[] {
  const groups = new Map<string, OtlpResourceGroup>();
  for (const entry of entries) {
    const view = streamView(entry.stream, options.levelLabel);
    let group = groups.get(view.resource.key);
    if (group === undefined) {
      group = { resource: view.resource, records: [] };
      groups.set(view.resource.key, group);
    }
    group.records.push(otlpRecord(entry, view.level, options));
  }
  return [...groups.values()];
}
