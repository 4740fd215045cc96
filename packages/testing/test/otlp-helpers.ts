/**
 * OTLP requests for the receiver's tests, written once in OTLP/JSON shape and encoded either as OTLP/JSON or,
 * through protobufjs and opentelemetry-proto's message definitions, as protobuf: an encoder independent of the
 * receiver's hand-written decoder.
 */
import { gzipSync } from 'node:zlib';
import Long from 'long';
import protobuf from 'protobufjs';
import { rpcStatusMessage } from '../src/index.js';

protobuf.util.Long = Long;
protobuf.configure();

// opentelemetry-proto v1.3 (logs/v1, common/v1, resource/v1, collector/logs/v1), one package for brevity.
const PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
  double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message LogRecord { fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2;
  string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7;
  fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
`;
const root = protobuf.parse(PROTO, { keepCase: false }).root;
const ExportLogsServiceRequest = root.lookupType('otlp.ExportLogsServiceRequest');

/** An OTLP/JSON AnyValue. */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string | number }
  | { doubleValue: number }
  | { bytesValue: string }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | Record<string, never>;
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface LogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  /** Hex, as in OTLP/JSON. */
  traceId?: string;
  spanId?: string;
}
export interface ScopeLogs {
  scope?: { name?: string; version?: string; attributes?: KeyValue[]; droppedAttributesCount?: number };
  logRecords: LogRecord[];
}
export interface ResourceLogs {
  resource?: { attributes: KeyValue[] };
  scopeLogs: ScopeLogs[];
}
export interface ExportRequest {
  resourceLogs: ResourceLogs[];
}

/** String attributes from an object. */
export function attrs(values: Record<string, string>): KeyValue[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
}

/** One resource with one scope holding `records`. */
export function request(resource: Record<string, string>, ...records: LogRecord[]): ExportRequest {
  return { resourceLogs: [{ resource: { attributes: attrs(resource) }, scopeLogs: [{ logRecords: records }] }] };
}

/** A record with a string body at `timeUnixNano`. */
export function record(timeUnixNano: bigint, line: string, extra: Partial<LogRecord> = {}): LogRecord {
  return { timeUnixNano: timeUnixNano.toString(), body: { stringValue: line }, ...extra };
}

function hexToBase64(hex: string | undefined): string | undefined {
  return hex === undefined ? undefined : Buffer.from(hex, 'hex').toString('base64');
}

/** protobufjs' `fromObject` reads bytes as base64: the IDs are converted from OTLP/JSON's hex. */
export function toProtobuf(req: ExportRequest): Buffer {
  const copy = {
    resourceLogs: req.resourceLogs.map((rl) => ({
      ...rl,
      scopeLogs: rl.scopeLogs.map((sl) => ({
        ...sl,
        logRecords: sl.logRecords.map((r) => ({
          ...r,
          traceId: hexToBase64(r.traceId),
          spanId: hexToBase64(r.spanId),
        })),
      })),
    })),
  };
  return Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(copy)).finish());
}

export type OtlpEncoding = 'protobuf' | 'json' | 'gzip protobuf' | 'gzip json';
export const OTLP_ENCODINGS: OtlpEncoding[] = ['protobuf', 'json', 'gzip protobuf', 'gzip json'];

export function encodeOtlp(
  req: ExportRequest,
  encoding: OtlpEncoding,
): { body: Buffer; headers: Record<string, string> } {
  const json = encoding.endsWith('json');
  const raw = json ? Buffer.from(JSON.stringify(req)) : toProtobuf(req);
  const headers: Record<string, string> = { 'content-type': json ? 'application/json' : 'application/x-protobuf' };
  if (!encoding.startsWith('gzip')) return { body: raw, headers };
  return { body: gzipSync(raw), headers: { ...headers, 'content-encoding': 'gzip' } };
}

export interface OtlpResponse {
  status: number;
  /** The `google.rpc.Status` message of an error body ('' for 204). */
  message: string | undefined;
  body: Buffer;
  headers: Headers;
}

export async function postOtlpRaw(
  url: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<OtlpResponse> {
  const res = await fetch(url, { method: 'POST', body, headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, message: rpcStatusMessage(bytes), body: bytes, headers: res.headers };
}

export async function postOtlp(
  url: string,
  req: ExportRequest,
  encoding: OtlpEncoding,
  headers: Record<string, string> = {},
): Promise<OtlpResponse> {
  const encoded = encodeOtlp(req, encoding);
  return postOtlpRaw(url, encoded.body, { ...encoded.headers, ...headers });
}
