/**
 * The decoded content of an OTLP `ExportLogsServiceRequest` (opentelemetry-proto logs/v1), as far as Loki's
 * mapping reads it; shared by the protobuf and the JSON decoder.
 */

/** An `AnyValue`; `empty` is a value with no field set (Loki's `ValueTypeEmpty`). */
export type OtlpValue =
  | { kind: 'empty' }
  | { kind: 'string'; value: string; /** false when the bytes sent were not valid UTF-8 */ utf8: boolean }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'bytes'; value: Buffer }
  | { kind: 'array'; values: OtlpValue[] }
  | { kind: 'kvlist'; values: OtlpKeyValue[] };

export interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}

export interface OtlpLogRecord {
  /** fixed64 nanoseconds; 0 when unset. */
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  /** The enum as an int32; 0 = unspecified. */
  severityNumber: number;
  severityText: string;
  body: OtlpValue;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
  flags: number;
  /** 16 bytes, or empty when unset. */
  traceId: Buffer;
  /** 8 bytes, or empty when unset. */
  spanId: Buffer;
}

export interface OtlpScope {
  name: string;
  version: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

export interface OtlpScopeLogs {
  scope: OtlpScope;
  logRecords: OtlpLogRecord[];
}

export interface OtlpResourceLogs {
  attributes: OtlpKeyValue[];
  scopeLogs: OtlpScopeLogs[];
}

export const EMPTY_VALUE: OtlpValue = Object.freeze({ kind: 'empty' });
const NO_BYTES = Buffer.alloc(0);

export function newLogRecord(): OtlpLogRecord {
  return {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    body: EMPTY_VALUE,
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: NO_BYTES,
    spanId: NO_BYTES,
  };
}

export function newScope(): OtlpScope {
  return { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
}

export function newScopeLogs(): OtlpScopeLogs {
  return { scope: newScope(), logRecords: [] };
}

export function newResourceLogs(): OtlpResourceLogs {
  return { attributes: [], scopeLogs: [] };
}

/** Number of log records of a request (Loki answers 422 when it is 0). */
export function countLogRecords(resources: readonly OtlpResourceLogs[]): number {
  let n = 0;
  for (const r of resources) for (const s of r.scopeLogs) n += s.logRecords.length;
  return n;
}
