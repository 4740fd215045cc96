/**
 * OTLP/JSON `ExportLogsServiceRequest` as pdata's `JSONUnmarshaler` (vendored in Loki 3.4.6) reads it: each
 * field under its lowerCamelCase or snake_case name, unknown fields skipped, integers as numbers or decimal
 * strings, trace and span IDs as hex, bytes as base64, and nothing checked after the top-level object.
 */
import { isUtf8 } from 'node:buffer';
import {
  EMPTY_VALUE,
  newLogRecord,
  newResourceLogs,
  newScopeLogs,
  type OtlpKeyValue,
  type OtlpLogRecord,
  type OtlpResourceLogs,
  type OtlpScope,
  type OtlpScopeLogs,
  type OtlpValue,
} from './otlp-model.js';
import { OtlpJsonReader } from './otlp-json-reader.js';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
/** `SeverityNumber_value`: the enum's names. */
const SEVERITY_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['SEVERITY_NUMBER_UNSPECIFIED', 0],
  ...LEVELS.flatMap((level, i) =>
    ['', '2', '3', '4'].map((n, k): [string, number] => [`SEVERITY_NUMBER_${level}${n}`, i * 4 + k + 1]),
  ),
]);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function value(r: OtlpJsonReader): OtlpValue {
  let v: OtlpValue = EMPTY_VALUE;
  r.members((key) => {
    switch (key) {
      case 'stringValue':
      case 'string_value':
        v = { kind: 'string', ...r.stringChecked() };
        break;
      case 'boolValue':
      case 'bool_value':
        v = { kind: 'bool', value: r.bool() };
        break;
      case 'intValue':
      case 'int_value':
        v = { kind: 'int', value: r.integer(true, 64, 'ReadInt64') };
        break;
      case 'doubleValue':
      case 'double_value':
        v = { kind: 'double', value: r.float() };
        break;
      case 'bytesValue':
      case 'bytes_value': {
        const s = r.string();
        if (!BASE64.test(s)) r.report('bytesValue', 'base64 decode:illegal base64 data');
        v = { kind: 'bytes', value: Buffer.from(s, 'base64') };
        break;
      }
      case 'arrayValue':
      case 'array_value':
        v = { kind: 'array', values: list(r, value) };
        break;
      case 'kvlistValue':
      case 'kvlist_value':
        v = { kind: 'kvlist', values: list(r, attribute) };
        break;
      default:
        r.skip();
    }
  });
  return v;
}

/** `ArrayValue` / `KeyValueList`: an object whose `values` array holds the elements. */
function list<T>(r: OtlpJsonReader, read: (r: OtlpJsonReader) => T): T[] {
  const out: T[] = [];
  r.members((key) => (key === 'values' ? r.elements(() => out.push(read(r))) : r.skip()));
  return out;
}

function attribute(r: OtlpJsonReader): OtlpKeyValue {
  const kv: OtlpKeyValue = { key: '', value: EMPTY_VALUE };
  r.members((key) => {
    if (key === 'key') kv.key = r.string();
    else if (key === 'value') kv.value = value(r);
    else r.skip();
  });
  return kv;
}

function attributes(r: OtlpJsonReader, into: OtlpKeyValue[]): void {
  r.elements(() => into.push(attribute(r)));
}

/** pdata's ID `UnmarshalJSON`: hex of exactly `size` bytes, or empty. */
function id(r: OtlpJsonReader, size: number, field: 'trace_id' | 'span_id'): Buffer {
  let s = r.string();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  if (s === '') return Buffer.alloc(0);
  const operation = field === 'trace_id' ? 'readLog.traceId' : 'readLog.spanId';
  if (Math.floor(s.length / 2) !== size) r.report(operation, `parse ${field}:invalid length for ID`);
  const bad = /[^0-9a-fA-F]/.exec(s.length % 2 === 0 ? s : s.slice(0, -1)) ?? /[^0-9a-fA-F]/.exec(s);
  let cause: string | undefined;
  if (bad) {
    const cp = bad[0].codePointAt(0)!;
    cause = `encoding/hex: invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${bad[0]}'`;
  } else if (s.length % 2 === 1) cause = 'encoding/hex: odd length hex string';
  if (cause !== undefined) r.report(operation, `parse ${field}:cannot unmarshal ID from string '${s}': ${cause}`);
  return Buffer.from(s, 'hex');
}

function logRecord(r: OtlpJsonReader): OtlpLogRecord {
  const rec = newLogRecord();
  r.members((key) => {
    switch (key) {
      case 'timeUnixNano':
      case 'time_unix_nano':
        rec.timeUnixNano = r.integer(false, 64, 'ReadUint64');
        break;
      case 'observed_time_unix_nano':
      case 'observedTimeUnixNano':
        rec.observedTimeUnixNano = r.integer(false, 64, 'ReadUint64');
        break;
      case 'severity_number':
      case 'severityNumber':
        rec.severityNumber = r.enumValue(SEVERITY_NUMBERS);
        break;
      case 'severity_text':
      case 'severityText':
        rec.severityText = r.string();
        break;
      case 'body':
        rec.body = value(r);
        break;
      case 'attributes':
        attributes(r, rec.attributes);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        rec.droppedAttributesCount = Number(r.integer(false, 32, 'ReadUint32'));
        break;
      case 'flags':
        rec.flags = Number(r.integer(false, 32, 'ReadUint32'));
        break;
      case 'traceId':
      case 'trace_id':
        rec.traceId = id(r, 16, 'trace_id');
        break;
      case 'spanId':
      case 'span_id':
        rec.spanId = id(r, 8, 'span_id');
        break;
      default:
        r.skip();
    }
  });
  return rec;
}

function scope(r: OtlpJsonReader, into: OtlpScope): void {
  r.members((key) => {
    if (key === 'name') into.name = r.string();
    else if (key === 'version') into.version = r.string();
    else if (key === 'attributes') attributes(r, into.attributes);
    else if (key === 'droppedAttributesCount' || key === 'dropped_attributes_count')
      into.droppedAttributesCount = Number(r.integer(false, 32, 'ReadUint32'));
    else r.skip();
  });
}

function scopeLogs(r: OtlpJsonReader): OtlpScopeLogs {
  const out = newScopeLogs();
  r.members((key) => {
    if (key === 'scope') scope(r, out.scope);
    else if (key === 'log_records' || key === 'logRecords') r.elements(() => out.logRecords.push(logRecord(r)));
    else if (key === 'schemaUrl' || key === 'schema_url') r.string();
    else r.skip();
  });
  return out;
}

function resourceLogs(r: OtlpJsonReader): OtlpResourceLogs {
  const out = newResourceLogs();
  r.members((key) => {
    if (key === 'resource') {
      r.members((k) => {
        if (k === 'attributes') attributes(r, out.attributes);
        else if (k === 'droppedAttributesCount' || k === 'dropped_attributes_count') r.integer(false, 32, 'ReadUint32');
        else r.skip();
      });
    } else if (key === 'scope_logs' || key === 'scopeLogs') r.elements(() => out.scopeLogs.push(scopeLogs(r)));
    else if (key === 'schemaUrl' || key === 'schema_url') r.string();
    else r.skip();
  });
  return out;
}

/** Decodes an OTLP/JSON body. Throws JsonDecodeError with jsoniter's text. */
export function decodeOtlpLogsJson(bytes: Buffer): OtlpResourceLogs[] {
  const r = new OtlpJsonReader(bytes.toString('utf8'), bytes, !isUtf8(bytes));
  const out: OtlpResourceLogs[] = [];
  r.members((key) => {
    if (key === 'resource_logs' || key === 'resourceLogs') r.elements(() => out.push(resourceLogs(r)));
    else r.skip();
  });
  return out;
}
