/**
 * Hand-written decoder for Loki's `logproto.PushRequest` (pkg/push/push.proto), with the same
 * strictness as Loki's gogo-generated code: unknown fields are skipped, a field with the wrong wire
 * type or a truncated message is an error, and timestamps must be in range.
 */
import { expectWireType, ProtobufDecodeError, ProtobufReader } from './protobuf-reader.js';
import type { RawPushEntry, RawPushStream } from './push-model.js';

const MIN_VALID_SECONDS = -62135596800n; // 0001-01-01T00:00:00Z
const MAX_VALID_SECONDS = 253402300800n; // 10000-01-01T00:00:00Z
const NS_PER_SECOND = 1_000_000_000n;

/** The Timestamp message in the reader's current range. */
function decodeTimestamp(r: ProtobufReader): bigint {
  let seconds = 0n;
  let nanos = 0n;
  while (!r.done) {
    const field = r.tag('Timestamp');
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, 0, 'Seconds');
      seconds = BigInt.asIntN(64, r.uint64());
    } else if (field === 2) {
      expectWireType(wt, 0, 'Nanos');
      nanos = BigInt.asIntN(32, r.uint64());
    } else r.skip(wt, field);
  }
  if (seconds < MIN_VALID_SECONDS)
    throw new ProtobufDecodeError(`timestamp: ${shown(seconds, nanos)} before 0001-01-01`);
  if (seconds >= MAX_VALID_SECONDS)
    throw new ProtobufDecodeError(`timestamp: ${shown(seconds, nanos)} after 10000-01-01`);
  if (nanos < 0n || nanos >= NS_PER_SECOND)
    throw new ProtobufDecodeError(`timestamp: ${shown(seconds, nanos)}: nanos not in range [0, 1e9)`);
  return seconds * NS_PER_SECOND + nanos;
}

/** Go's `%#v` of a types.Timestamp, as Loki's error text shows it (built only for an error). */
function shown(seconds: bigint, nanos: bigint): string {
  // gogo's generated GoString, one field per line.
  return `&types.Timestamp{Seconds: ${seconds},\nNanos: ${nanos},\n}`;
}

/** The LabelPairAdapter message in the reader's current range. */
function decodeLabelPair(r: ProtobufReader): [string, string] {
  let name = '';
  let value = '';
  while (!r.done) {
    const field = r.tag('LabelPairAdapter');
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, 2, 'Name');
      name = r.string();
    } else if (field === 2) {
      expectWireType(wt, 2, 'Value');
      value = r.string();
    } else r.skip(wt, field);
  }
  return [name, value];
}

/** The EntryAdapter message in the reader's current range. */
function decodeEntry(r: ProtobufReader): RawPushEntry {
  // A missing timestamp is Go's zero time (year 1), which later fails the age check.
  let timestampNs = MIN_VALID_SECONDS * NS_PER_SECOND;
  let line = '';
  let lineBytes = 0;
  const metadata: Array<[string, string]> = [];
  while (!r.done) {
    const field = r.tag('EntryAdapter');
    const wt = r.wireType;
    switch (field) {
      case 1: {
        expectWireType(wt, 2, 'Timestamp');
        const outer = r.enter();
        timestampNs = decodeTimestamp(r);
        r.leave(outer);
        break;
      }
      case 2: {
        expectWireType(wt, 2, 'Line');
        const s = r.lengthDelimited();
        lineBytes = r.fieldEnd - s;
        line = r.buf.toString('utf8', s, r.fieldEnd);
        break;
      }
      case 3: {
        expectWireType(wt, 2, 'StructuredMetadata');
        const outer = r.enter();
        metadata.push(decodeLabelPair(r));
        r.leave(outer);
        break;
      }
      case 4: {
        // `parsed` is query-side only; decoded for well-formedness, then ignored.
        expectWireType(wt, 2, 'Parsed');
        const outer = r.enter();
        decodeLabelPair(r);
        r.leave(outer);
        break;
      }
      default:
        r.skip(wt, field);
    }
  }
  return { timestampNs, line, lineBytes, metadata };
}

/** The StreamAdapter message in the reader's current range. */
function decodeStream(r: ProtobufReader): RawPushStream {
  let labels = '';
  const entries: RawPushEntry[] = [];
  while (!r.done) {
    const field = r.tag('StreamAdapter');
    const wt = r.wireType;
    switch (field) {
      case 1:
        expectWireType(wt, 2, 'Labels');
        labels = r.string();
        break;
      case 2: {
        expectWireType(wt, 2, 'Entries');
        const outer = r.enter();
        entries.push(decodeEntry(r));
        r.leave(outer);
        break;
      }
      case 3:
        expectWireType(wt, 0, 'Hash');
        r.uint64();
        break;
      default:
        r.skip(wt, field);
    }
  }
  return { labels, entries };
}

/** Decodes an uncompressed `PushRequest`. Throws {@link ProtobufDecodeError}. */
export function decodePushRequestProtobuf(bytes: Uint8Array): RawPushStream[] {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new ProtobufReader(buf, 0, buf.length);
  const streams: RawPushStream[] = [];
  while (!r.done) {
    const field = r.tag('PushRequest');
    const wt = r.wireType;
    if (field === 1) {
      expectWireType(wt, 2, 'Streams');
      const outer = r.enter();
      streams.push(decodeStream(r));
      r.leave(outer);
    } else r.skip(wt, field);
  }
  return streams;
}
