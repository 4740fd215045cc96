/**
 * Hand-written decoder for Loki's `logproto.PushRequest` (pkg/push/push.proto), with the same
 * strictness as Loki's gogo-generated code: unknown fields are skipped, a field with the wrong wire
 * type or a truncated message is an error, and timestamps must be in range.
 */
import type { RawPushEntry, RawPushStream } from './push-model.js';

/** A protobuf body Loki could not unmarshal (answered 400). */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

const MIN_VALID_SECONDS = -62135596800n; // 0001-01-01T00:00:00Z
const MAX_VALID_SECONDS = 253402300800n; // 10000-01-01T00:00:00Z
const NS_PER_SECOND = 1_000_000_000n;

class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint that must fit in a JS number (tags and lengths). */
  uint(): number {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('unexpected EOF');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * factor;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw new ProtobufDecodeError('proto: integer overflow');
        return result;
      }
      factor *= 128;
    }
    throw new ProtobufDecodeError('proto: integer overflow');
  }

  /** A full 64-bit varint as an unsigned bigint. */
  uint64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('unexpected EOF');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufDecodeError('proto: integer overflow');
  }

  /** Bounds of a length-delimited field. */
  lengthDelimited(): [number, number] {
    const len = this.uint();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw new ProtobufDecodeError('unexpected EOF');
    this.pos = end;
    return [start, end];
  }

  string(): string {
    const [start, end] = this.lengthDelimited();
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + start, end - start).toString('utf8');
  }

  skip(wireType: number, fieldNumber: number): void {
    switch (wireType) {
      case 0:
        this.uint64();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.lengthDelimited();
        return;
      case 5:
        this.advance(4);
        return;
      case 3: {
        for (;;) {
          if (this.done) throw new ProtobufDecodeError('unexpected EOF');
          const tag = this.uint();
          const wt = tag & 7;
          if (wt === 4) {
            if (Math.floor(tag / 8) !== fieldNumber) throw new ProtobufDecodeError('proto: mismatched end group');
            return;
          }
          this.skip(wt, Math.floor(tag / 8));
        }
      }
      case 4:
        throw new ProtobufDecodeError('proto: unexpected end group');
      default:
        throw new ProtobufDecodeError(`proto: illegal wireType ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new ProtobufDecodeError('unexpected EOF');
    this.pos += n;
  }

  /** Reads a tag; returns [fieldNumber, wireType]. */
  tag(message: string): [number, number] {
    const tag = this.uint();
    const fieldNumber = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType === 4) throw new ProtobufDecodeError(`proto: ${message}: wiretype end group for non-group`);
    if (fieldNumber <= 0) throw new ProtobufDecodeError(`proto: ${message}: illegal tag ${fieldNumber} (wire type ${wireType})`);
    return [fieldNumber, wireType];
  }
}

function expectWireType(actual: number, expected: number, field: string): void {
  if (actual !== expected) throw new ProtobufDecodeError(`proto: wrong wireType = ${actual} for field ${field}`);
}

function decodeTimestamp(r: Reader, start: number, end: number): bigint {
  const sub = new Reader(r.buf, start, end);
  let seconds = 0n;
  let nanos = 0n;
  while (!sub.done) {
    const [field, wt] = sub.tag('Timestamp');
    if (field === 1) {
      expectWireType(wt, 0, 'Seconds');
      seconds = BigInt.asIntN(64, sub.uint64());
    } else if (field === 2) {
      expectWireType(wt, 0, 'Nanos');
      nanos = BigInt.asIntN(32, sub.uint64());
    } else sub.skip(wt, field);
  }
  const shown = `&types.Timestamp{Seconds:${seconds}, Nanos:${nanos}}`;
  if (seconds < MIN_VALID_SECONDS) throw new ProtobufDecodeError(`timestamp: ${shown} before 0001-01-01`);
  if (seconds >= MAX_VALID_SECONDS) throw new ProtobufDecodeError(`timestamp: ${shown} after 10000-01-01`);
  if (nanos < 0n || nanos >= NS_PER_SECOND) throw new ProtobufDecodeError(`timestamp: ${shown}: nanos not in range [0, 1e9)`);
  return seconds * NS_PER_SECOND + nanos;
}

function decodeLabelPair(r: Reader, start: number, end: number): [string, string] {
  const sub = new Reader(r.buf, start, end);
  let name = '';
  let value = '';
  while (!sub.done) {
    const [field, wt] = sub.tag('LabelPairAdapter');
    if (field === 1) {
      expectWireType(wt, 2, 'Name');
      name = sub.string();
    } else if (field === 2) {
      expectWireType(wt, 2, 'Value');
      value = sub.string();
    } else sub.skip(wt, field);
  }
  return [name, value];
}

function decodeEntry(r: Reader, start: number, end: number): RawPushEntry {
  const sub = new Reader(r.buf, start, end);
  // A missing timestamp is Go's zero time (year 1), which later fails the age check.
  let timestampNs = MIN_VALID_SECONDS * NS_PER_SECOND;
  let line = '';
  let lineBytes = 0;
  const metadata: Array<[string, string]> = [];
  while (!sub.done) {
    const [field, wt] = sub.tag('EntryAdapter');
    switch (field) {
      case 1: {
        expectWireType(wt, 2, 'Timestamp');
        const [s, e] = sub.lengthDelimited();
        timestampNs = decodeTimestamp(sub, s, e);
        break;
      }
      case 2: {
        expectWireType(wt, 2, 'Line');
        const [s, e] = sub.lengthDelimited();
        lineBytes = e - s;
        line = Buffer.from(sub.buf.buffer, sub.buf.byteOffset + s, lineBytes).toString('utf8');
        break;
      }
      case 3: {
        expectWireType(wt, 2, 'StructuredMetadata');
        const [s, e] = sub.lengthDelimited();
        metadata.push(decodeLabelPair(sub, s, e));
        break;
      }
      case 4: {
        // `parsed` is query-side only; decoded for well-formedness, then ignored.
        expectWireType(wt, 2, 'Parsed');
        const [s, e] = sub.lengthDelimited();
        decodeLabelPair(sub, s, e);
        break;
      }
      default:
        sub.skip(wt, field);
    }
  }
  return { timestampNs, line, lineBytes, metadata };
}

function decodeStream(r: Reader, start: number, end: number): RawPushStream {
  const sub = new Reader(r.buf, start, end);
  let labels = '';
  const entries: RawPushEntry[] = [];
  while (!sub.done) {
    const [field, wt] = sub.tag('StreamAdapter');
    switch (field) {
      case 1:
        expectWireType(wt, 2, 'Labels');
        labels = sub.string();
        break;
      case 2: {
        expectWireType(wt, 2, 'Entries');
        const [s, e] = sub.lengthDelimited();
        entries.push(decodeEntry(sub, s, e));
        break;
      }
      case 3:
        expectWireType(wt, 0, 'Hash');
        sub.uint64();
        break;
      default:
        sub.skip(wt, field);
    }
  }
  return { labels, entries };
}

/** Decodes an uncompressed `PushRequest`. Throws {@link ProtobufDecodeError}. */
export function decodePushRequestProtobuf(buf: Uint8Array): RawPushStream[] {
  const r = new Reader(buf, 0, buf.length);
  const streams: RawPushStream[] = [];
  while (!r.done) {
    const [field, wt] = r.tag('PushRequest');
    if (field === 1) {
      expectWireType(wt, 2, 'Streams');
      const [s, e] = r.lengthDelimited();
      streams.push(decodeStream(r, s, e));
    } else r.skip(wt, field);
  }
  return streams;
}
