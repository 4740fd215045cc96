/**
 * Hand-written decoder for OTLP's `ExportLogsServiceRequest` (opentelemetry-proto collector/logs/v1), with the
 * strictness of the gogo-generated code Loki 3.4.6 runs (vendored pdata): unknown fields are skipped, a field
 * with the wrong wire type or a truncated message is an error, trace and span IDs must have 16 and 8 bytes.
 */
import { isUtf8 } from 'node:buffer';
import { expectWireType, ProtobufDecodeError, ProtobufReader } from './protobuf-reader.js';
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

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

/** Runs `read` over the sub-message that is the reader's next field. */
function nested<T>(r: ProtobufReader, read: (r: ProtobufReader) => T): T {
  const outer = r.enter();
  const value = read(r);
  r.leave(outer);
  return value;
}

function fixed(r: ProtobufReader, bytes: 4 | 8): number {
  if (r.pos + bytes > r.end) throw new ProtobufDecodeError('unexpected EOF');
  const start = r.pos;
  r.pos += bytes;
  return start;
}

function uint32(r: ProtobufReader): number {
  return Number(BigInt.asUintN(32, r.uint64()));
}

function stringValue(r: ProtobufReader): OtlpValue {
  const start = r.lengthDelimited();
  const bytes = r.buf.subarray(start, r.fieldEnd);
  return { kind: 'string', value: bytes.toString('utf8'), utf8: isUtf8(bytes) };
}

function bytesField(r: ProtobufReader): Buffer {
  const start = r.lengthDelimited();
  return Buffer.from(r.buf.subarray(start, r.fieldEnd));
}

/** `AnyValue`: a oneof, the last field sent wins. */
function decodeValue(r: ProtobufReader): OtlpValue {
  let value: OtlpValue = EMPTY_VALUE;
  while (!r.done) {
    const field = r.tag('AnyValue');
    const wt = r.wireType;
    switch (field) {
      case 1:
        expectWireType(wt, LEN, 'StringValue');
        value = stringValue(r);
        break;
      case 2:
        expectWireType(wt, VARINT, 'BoolValue');
        value = { kind: 'bool', value: r.uint64() !== 0n };
        break;
      case 3:
        expectWireType(wt, VARINT, 'IntValue');
        value = { kind: 'int', value: BigInt.asIntN(64, r.uint64()) };
        break;
      case 4: {
        expectWireType(wt, FIXED64, 'DoubleValue');
        value = { kind: 'double', value: r.buf.readDoubleLE(fixed(r, 8)) };
        break;
      }
      case 5:
        expectWireType(wt, LEN, 'ArrayValue');
        value = { kind: 'array', values: nested(r, (n) => repeated(n, 'ArrayValue', decodeValue)) };
        break;
      case 6:
        expectWireType(wt, LEN, 'KvlistValue');
        value = { kind: 'kvlist', values: nested(r, (n) => repeated(n, 'KeyValueList', decodeKeyValue)) };
        break;
      case 7:
        expectWireType(wt, LEN, 'BytesValue');
        value = { kind: 'bytes', value: bytesField(r) };
        break;
      default:
        r.skip(wt, field);
    }
  }
  return value;
}

/** `ArrayValue` / `KeyValueList`: field 1 repeated. */
function repeated<T>(r: ProtobufReader, message: string, read: (r: ProtobufReader) => T): T[] {
  const out: T[] = [];
  while (!r.done) {
    const field = r.tag(message);
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, LEN, 'Values');
      out.push(nested(r, read));
    } else r.skip(wt, field);
  }
  return out;
}

function decodeKeyValue(r: ProtobufReader): OtlpKeyValue {
  let key = '';
  let value: OtlpValue = EMPTY_VALUE;
  while (!r.done) {
    const field = r.tag('KeyValue');
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, LEN, 'Key');
      key = r.string();
    } else if (field === 2) {
      expectWireType(wt, LEN, 'Value');
      value = nested(r, decodeValue);
    } else r.skip(wt, field);
  }
  return { key, value };
}

function id(r: ProtobufReader, size: number, error: string): Buffer {
  const bytes = bytesField(r);
  if (bytes.length !== 0 && bytes.length !== size) throw new ProtobufDecodeError(error);
  return bytes;
}

function decodeLogRecord(r: ProtobufReader): OtlpLogRecord {
  const rec = newLogRecord();
  while (!r.done) {
    const field = r.tag('LogRecord');
    const wt = r.wireType;
    switch (field) {
      case 1:
        expectWireType(wt, FIXED64, 'TimeUnixNano');
        rec.timeUnixNano = r.buf.readBigUInt64LE(fixed(r, 8));
        break;
      case 11:
        expectWireType(wt, FIXED64, 'ObservedTimeUnixNano');
        rec.observedTimeUnixNano = r.buf.readBigUInt64LE(fixed(r, 8));
        break;
      case 2:
        expectWireType(wt, VARINT, 'SeverityNumber');
        rec.severityNumber = Number(BigInt.asIntN(32, r.uint64()));
        break;
      case 3:
        expectWireType(wt, LEN, 'SeverityText');
        rec.severityText = r.string();
        break;
      case 5:
        expectWireType(wt, LEN, 'Body');
        rec.body = nested(r, decodeValue);
        break;
      case 6:
        expectWireType(wt, LEN, 'Attributes');
        rec.attributes.push(nested(r, decodeKeyValue));
        break;
      case 7:
        expectWireType(wt, VARINT, 'DroppedAttributesCount');
        rec.droppedAttributesCount = uint32(r);
        break;
      case 8:
        expectWireType(wt, FIXED32, 'Flags');
        rec.flags = r.buf.readUInt32LE(fixed(r, 4));
        break;
      case 9:
        expectWireType(wt, LEN, 'TraceId');
        rec.traceId = id(r, 16, 'unmarshal: invalid TraceID length');
        break;
      case 10:
        expectWireType(wt, LEN, 'SpanId');
        rec.spanId = id(r, 8, 'unmarshal: invalid SpanID length');
        break;
      default:
        r.skip(wt, field);
    }
  }
  return rec;
}

/** `InstrumentationScope`; a repeated scope field merges into the same message, as gogo's Unmarshal does. */
function decodeScope(r: ProtobufReader, scope: OtlpScope): OtlpScope {
  while (!r.done) {
    const field = r.tag('InstrumentationScope');
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, LEN, 'Name');
      scope.name = r.string();
    } else if (field === 2) {
      expectWireType(wt, LEN, 'Version');
      scope.version = r.string();
    } else if (field === 3) {
      expectWireType(wt, LEN, 'Attributes');
      scope.attributes.push(nested(r, decodeKeyValue));
    } else if (field === 4) {
      expectWireType(wt, VARINT, 'DroppedAttributesCount');
      scope.droppedAttributesCount = uint32(r);
    } else r.skip(wt, field);
  }
  return scope;
}

function decodeScopeLogs(r: ProtobufReader): OtlpScopeLogs {
  const out = newScopeLogs();
  while (!r.done) {
    const field = r.tag('ScopeLogs');
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, LEN, 'Scope');
      nested(r, (n) => decodeScope(n, out.scope));
    } else if (field === 2) {
      expectWireType(wt, LEN, 'LogRecords');
      out.logRecords.push(nested(r, decodeLogRecord));
    } else r.skip(wt, field);
  }
  return out;
}

function decodeResource(r: ProtobufReader, attributes: OtlpKeyValue[]): void {
  while (!r.done) {
    const field = r.tag('Resource');
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, LEN, 'Attributes');
      attributes.push(nested(r, decodeKeyValue));
    } else if (field === 2) {
      expectWireType(wt, VARINT, 'DroppedAttributesCount');
      r.uint64();
    } else r.skip(wt, field);
  }
}

function decodeResourceLogs(r: ProtobufReader): OtlpResourceLogs {
  const out = newResourceLogs();
  const deprecated: OtlpScopeLogs[] = [];
  while (!r.done) {
    const field = r.tag('ResourceLogs');
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, LEN, 'Resource');
      nested(r, (n) => decodeResource(n, out.attributes));
    } else if (field === 2) {
      expectWireType(wt, LEN, 'ScopeLogs');
      out.scopeLogs.push(nested(r, decodeScopeLogs));
    } else if (field === 1000) {
      expectWireType(wt, LEN, 'DeprecatedScopeLogs');
      deprecated.push(nested(r, decodeScopeLogs));
    } else r.skip(wt, field);
  }
  // pdata's MigrateLogs: the deprecated field (1000) is read when scope_logs is empty.
  if (out.scopeLogs.length === 0) out.scopeLogs = deprecated;
  return out;
}

/** Decodes an uncompressed `ExportLogsServiceRequest`. Throws {@link ProtobufDecodeError}. */
export function decodeOtlpLogsProtobuf(buf: Buffer): OtlpResourceLogs[] {
  const r = new ProtobufReader(buf, 0, buf.length);
  const out: OtlpResourceLogs[] = [];
  while (!r.done) {
    const field = r.tag('ExportLogsServiceRequest');
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, LEN, 'ResourceLogs');
      out.push(nested(r, decodeResourceLogs));
    } else r.skip(wt, field);
  }
  return out;
}
