import type { LokiEntry } from './record.js';
import { splitNs } from './timestamp.js';
import type { StreamGroup } from './stream-groups.js';

// Hand-written protobuf writer for Loki's PushRequest (pkg/push/push.proto): four message types, so a
// two-pass size-then-write encoder is smaller and faster than a generated protobuf library, and
// writes straight into one Buffer with no intermediate objects.

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function bigVarintSize(n: bigint): number {
  let v = n < 0n ? BigInt.asUintN(64, n) : n;
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
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
  bigVarint(n: bigint): void {
    let v = n < 0n ? BigInt.asUintN(64, n) : n;
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }
  string(s: string, bytes: number): void {
    this.varint(bytes);
    this.pos += this.buf.write(s, this.pos, bytes, 'utf8');
  }
  /** An ASCII string: one byte per character. Short ones by hand (a native call costs more). */
  ascii(s: string): void {
    const n = s.length;
    this.varint(n);
    if (n <= 16) {
      const buf = this.buf;
      let pos = this.pos;
      for (let k = 0; k < n; k++) buf[pos++] = s.charCodeAt(k);
      this.pos = pos;
    } else this.pos += this.buf.write(s, this.pos, n, 'latin1');
  }
}

interface EntrySizes {
  seconds: bigint;
  nanos: number;
  tsSize: number;
  lineBytes: number;
  metadata: Array<{ nameBytes: number; valueBytes: number; size: number }>;
  size: number;
}

function entrySizes(entry: LokiEntry): EntrySizes {
  const { seconds, nanos } = splitNs(entry.timestampNs);
  const tsSize = (seconds !== 0n ? 1 + bigVarintSize(seconds) : 0) + (nanos !== 0 ? 1 + varintSize(nanos) : 0);
  const lineBytes = Buffer.byteLength(entry.line);
  let size = 1 + varintSize(tsSize) + tsSize;
  if (lineBytes > 0) size += 1 + varintSize(lineBytes) + lineBytes;
  const metadata: EntrySizes['metadata'] = [];
  for (const [name, value] of entry.metadata ?? []) {
    const nameBytes = Buffer.byteLength(name);
    const valueBytes = Buffer.byteLength(value);
    const pair =
      (nameBytes > 0 ? 1 + varintSize(nameBytes) + nameBytes : 0) +
      (valueBytes > 0 ? 1 + varintSize(valueBytes) + valueBytes : 0);
    metadata.push({ nameBytes, valueBytes, size: pair });
    size += 1 + varintSize(pair) + pair;
  }
  return { seconds, nanos, tsSize, lineBytes, metadata, size };
}

/**
 * An entry whose strings are all ASCII (its UTF-8 byte count, `entry.bytes`, equals its UTF-16
 * length) is sized from string lengths and written with latin1 copies, and its seconds fit a
 * double: no Buffer.byteLength calls, no per-entry size objects and no BigInt varint loops. The
 * usual log line is ASCII; this halved the encoder's time per entry in a micro-benchmark.
 */
function asciiLength(entry: LokiEntry): number {
  let n = entry.line.length;
  if (entry.metadata !== undefined) for (const [name, value] of entry.metadata) n += name.length + value.length;
  return n;
}

function fieldSize(bytes: number): number {
  return bytes > 0 ? 1 + varintSize(bytes) + bytes : 0;
}

/** Size of a Timestamp message whose seconds fit a double. */
function timestampSize(seconds: number, nanos: number): number {
  return (seconds !== 0 ? 1 + varintSize(seconds) : 0) + (nanos !== 0 ? 1 + varintSize(nanos) : 0);
}

/** Encodes streams as an (uncompressed) protobuf PushRequest. */
export function encodePushRequestProtobuf(groups: readonly StreamGroup[]): Buffer {
  const plan = groups.map((group) => {
    const labelBytes = Buffer.byteLength(group.stream.key);
    const count = group.entries.length;
    // Per entry: its size, and for ASCII entries the timestamp split (else the slow sizes object).
    const sizes = new Array<number>(count);
    const seconds = new Array<number>(count);
    const nanos = new Array<number>(count);
    const slow: Array<EntrySizes | undefined> = new Array<EntrySizes | undefined>(count);
    let size = 1 + varintSize(labelBytes) + labelBytes;
    for (let i = 0; i < count; i++) {
      const entry = group.entries[i]!;
      const ns = entry.timestampNs;
      if (ns >= 0n && entry.bytes === asciiLength(entry)) {
        const whole = ns / 1_000_000_000n;
        const sec = Number(whole);
        const nano = Number(ns - whole * 1_000_000_000n);
        const tsSize = timestampSize(sec, nano);
        let e = 1 + varintSize(tsSize) + tsSize + fieldSize(entry.line.length);
        if (entry.metadata !== undefined) {
          for (const [name, value] of entry.metadata) {
            const pair = fieldSize(name.length) + fieldSize(value.length);
            e += 1 + varintSize(pair) + pair;
          }
        }
        sizes[i] = e;
        seconds[i] = sec;
        nanos[i] = nano;
      } else {
        const es = entrySizes(entry);
        slow[i] = es;
        sizes[i] = es.size;
      }
      size += 1 + varintSize(sizes[i]!) + sizes[i]!;
    }
    return { group, labelBytes, sizes, seconds, nanos, slow, size };
  });
  let total = 0;
  for (const s of plan) total += 1 + varintSize(s.size) + s.size;
  const w = new Writer(Buffer.allocUnsafe(total));
  for (const s of plan) {
    w.byte(0x0a); // PushRequest.streams
    w.varint(s.size);
    w.byte(0x0a); // StreamAdapter.labels
    w.string(s.group.stream.key, s.labelBytes);
    const entries = s.group.entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      w.byte(0x12); // StreamAdapter.entries
      w.varint(s.sizes[i]!);
      const slow = s.slow[i];
      if (slow !== undefined) {
        writeEntrySlow(w, entry, slow);
        continue;
      }
      const sec = s.seconds[i]!;
      const nano = s.nanos[i]!;
      w.byte(0x0a); // EntryAdapter.timestamp
      w.varint(timestampSize(sec, nano));
      if (sec !== 0) {
        w.byte(0x08);
        w.varint(sec);
      }
      if (nano !== 0) {
        w.byte(0x10);
        w.varint(nano);
      }
      if (entry.line.length > 0) {
        w.byte(0x12); // EntryAdapter.line
        w.ascii(entry.line);
      }
      if (entry.metadata !== undefined) {
        for (const [name, value] of entry.metadata) {
          w.byte(0x1a); // EntryAdapter.structuredMetadata
          w.varint(fieldSize(name.length) + fieldSize(value.length));
          if (name.length > 0) {
            w.byte(0x0a);
            w.ascii(name);
          }
          if (value.length > 0) {
            w.byte(0x12);
            w.ascii(value);
          }
        }
      }
    }
  }
  return w.buf;
}

function writeEntrySlow(w: Writer, entry: LokiEntry, e: EntrySizes): void {
  w.byte(0x0a); // EntryAdapter.timestamp
  w.varint(e.tsSize);
  if (e.seconds !== 0n) {
    w.byte(0x08);
    w.bigVarint(e.seconds);
  }
  if (e.nanos !== 0) {
    w.byte(0x10);
    w.varint(e.nanos);
  }
  if (e.lineBytes > 0) {
    w.byte(0x12); // EntryAdapter.line
    w.string(entry.line, e.lineBytes);
  }
  (entry.metadata ?? []).forEach(([name, value], j) => {
    const m = e.metadata[j]!;
    w.byte(0x1a); // EntryAdapter.structuredMetadata
    w.varint(m.size);
    if (m.nameBytes > 0) {
      w.byte(0x0a);
      w.string(name, m.nameBytes);
    }
    if (m.valueBytes > 0) {
      w.byte(0x12);
      w.string(value, m.valueBytes);
    }
  });
}
