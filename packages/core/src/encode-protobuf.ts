import type { LokiEntry } from './record.js';
import { splitNs } from './timestamp.js';
import type { StreamGroup } from './stream-groups.js';

// Hand-written protobuf writer for Loki's PushRequest (contract §1.5): four message types, so a
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
    const pair = (nameBytes > 0 ? 1 + varintSize(nameBytes) + nameBytes : 0) + (valueBytes > 0 ? 1 + varintSize(valueBytes) + valueBytes : 0);
    metadata.push({ nameBytes, valueBytes, size: pair });
    size += 1 + varintSize(pair) + pair;
  }
  return { seconds, nanos, tsSize, lineBytes, metadata, size };
}

/** Encodes streams as an (uncompressed) protobuf PushRequest. */
export function encodePushRequestProtobuf(groups: readonly StreamGroup[]): Buffer {
  const plan = groups.map((group) => {
    const labelBytes = Buffer.byteLength(group.stream.key);
    const entries = group.entries.map(entrySizes);
    let size = 1 + varintSize(labelBytes) + labelBytes;
    for (const e of entries) size += 1 + varintSize(e.size) + e.size;
    return { group, labelBytes, entries, size };
  });
  let total = 0;
  for (const s of plan) total += 1 + varintSize(s.size) + s.size;
  const w = new Writer(Buffer.allocUnsafe(total));
  for (const s of plan) {
    w.byte(0x0a); // PushRequest.streams
    w.varint(s.size);
    w.byte(0x0a); // StreamAdapter.labels
    w.string(s.group.stream.key, s.labelBytes);
    s.group.entries.forEach((entry, i) => {
      const e = s.entries[i]!;
      w.byte(0x12); // StreamAdapter.entries
      w.varint(e.size);
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
    });
  }
  return w.buf;
}
