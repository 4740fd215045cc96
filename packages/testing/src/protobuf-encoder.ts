/**
 * Hand-written encoder for Loki's `logproto.PushRequest`, plus a size calculator used to emulate the
 * ingester's 4 MiB gRPC receive limit. Field numbers follow pkg/push/push.proto; empty strings and zero
 * scalars are omitted as proto3 does, the timestamp sub-message is always written (gogo non-nullable).
 */

/** Structured metadata given either as an object or as ordered pairs (pairs may repeat a name). */
export type MetadataInput = Record<string, string> | ReadonlyArray<readonly [string, string]>;

/** One entry for {@link encodePushRequestProtobuf}. */
export interface ProtobufEntryInput {
  timestampNs: bigint;
  line: string;
  metadata?: MetadataInput;
}

/** One stream for {@link encodePushRequestProtobuf}: the label selector text and its entries. */
export interface ProtobufStreamInput {
  /** Selector text sent as-is, e.g. `{app="x"}`. */
  labels: string;
  entries: readonly ProtobufEntryInput[];
}

/** Internal form used for sizing: metadata as pairs, optional stream hash. */
interface SizedStream {
  labels: string;
  entries: ReadonlyArray<{ timestampNs: bigint; line: string; metadata: ReadonlyArray<readonly [string, string]> }>;
}

const NS_PER_SECOND = 1_000_000_000n;

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function varintSizeBig(n: bigint): number {
  let v = BigInt.asUintN(64, n);
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

function splitTimestamp(ns: bigint): [bigint, bigint] {
  let seconds = ns / NS_PER_SECOND;
  let nanos = ns - seconds * NS_PER_SECOND;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += NS_PER_SECOND;
  }
  return [seconds, nanos];
}

function lenField(payload: number): number {
  return 1 + varintSize(payload) + payload;
}

function stringField(s: string): number {
  if (s.length === 0) return 0;
  return lenField(Buffer.byteLength(s, 'utf8'));
}

function timestampSize(ns: bigint): number {
  if (ns >= 0n) {
    // Seconds and nanos of a time after 1970 fit doubles: no BigInt varint loops (one per entry when
    // the receiver sizes the forwarded request).
    const whole = ns / NS_PER_SECOND;
    const seconds = Number(whole);
    const nanos = Number(ns - whole * NS_PER_SECOND);
    return (seconds !== 0 ? 1 + varintSize(seconds) : 0) + (nanos !== 0 ? 1 + varintSize(nanos) : 0);
  }
  const [seconds, nanos] = splitTimestamp(ns);
  return (seconds !== 0n ? 1 + varintSizeBig(seconds) : 0) + (nanos !== 0n ? 1 + varintSizeBig(nanos) : 0);
}

function pairSize(name: string, value: string): number {
  return stringField(name) + stringField(value);
}

function entrySize(ts: bigint, line: string, metadata: ReadonlyArray<readonly [string, string]>): number {
  let size = lenField(timestampSize(ts)) + stringField(line);
  for (const [name, value] of metadata) size += lenField(pairSize(name, value));
  return size;
}

function normaliseMetadata(metadata: MetadataInput | undefined): ReadonlyArray<readonly [string, string]> {
  if (metadata === undefined) return [];
  if (Array.isArray(metadata)) return metadata as ReadonlyArray<readonly [string, string]>;
  return Object.entries(metadata as Record<string, string>);
}

/** Bytes of the stream hash Loki's distributor sets before forwarding (a 64-bit varint, field 3). */
const FORWARDED_HASH_BYTES = 1 + 10;

/**
 * Size of the `PushRequest` Loki's distributor would send to its ingester for these (accepted) streams,
 * including the stream hash it adds. Used to emulate `grpc: received message larger than max`.
 */
export function forwardedPushRequestSize(streams: readonly SizedStream[]): number {
  let total = 0;
  for (const stream of streams) {
    let size = stringField(stream.labels) + FORWARDED_HASH_BYTES;
    for (const e of stream.entries) size += lenField(entrySize(e.timestampNs, e.line, e.metadata));
    total += lenField(size);
  }
  return total;
}

class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  varintBig(n: bigint): void {
    let v = BigInt.asUintN(64, n);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  string(tag: number, s: string): void {
    if (s.length === 0) return;
    this.byte(tag);
    this.varint(Buffer.byteLength(s, 'utf8'));
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
}

/**
 * Encodes a Loki `PushRequest` as uncompressed protobuf bytes (no snappy). Compress the result with a
 * snappy *block* compressor (e.g. `compressSync` of the `snappy` package) before sending it with
 * `Content-Type: application/x-protobuf`. Label text is sent verbatim, so invalid selectors can be built
 * on purpose; metadata given as pairs may repeat names.
 */
export function encodePushRequestProtobuf(streams: readonly ProtobufStreamInput[]): Buffer {
  const prepared = streams.map((s) => ({
    labels: s.labels,
    entries: s.entries.map((e) => ({
      timestampNs: e.timestampNs,
      line: e.line,
      metadata: normaliseMetadata(e.metadata),
    })),
  }));
  const streamSizes = prepared.map((s) => {
    let size = stringField(s.labels);
    for (const e of s.entries) size += lenField(entrySize(e.timestampNs, e.line, e.metadata));
    return size;
  });
  const total = streamSizes.reduce((sum, size) => sum + lenField(size), 0);
  const w = new Writer(Buffer.alloc(total));
  prepared.forEach((stream, i) => {
    w.byte(0x0a);
    w.varint(streamSizes[i]!);
    w.string(0x0a, stream.labels);
    for (const e of stream.entries) {
      w.byte(0x12);
      w.varint(entrySize(e.timestampNs, e.line, e.metadata));
      const [seconds, nanos] = splitTimestamp(e.timestampNs);
      w.byte(0x0a);
      w.varint(timestampSize(e.timestampNs));
      if (seconds !== 0n) {
        w.byte(0x08);
        w.varintBig(seconds);
      }
      if (nanos !== 0n) {
        w.byte(0x10);
        w.varintBig(nanos);
      }
      w.string(0x12, e.line);
      for (const [name, value] of e.metadata) {
        w.byte(0x1a);
        w.varint(pairSize(name, value));
        w.string(0x0a, name);
        w.string(0x12, value);
      }
    }
  });
  return w.buf;
}
