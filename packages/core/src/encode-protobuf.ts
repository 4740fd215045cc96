import { asciiLength, PackedEntry } from './packed-entry.js';
import type { LokiEntry } from './record.js';
import { splitNs } from './timestamp.js';
import type { StreamGroup } from './stream-groups.js';
import { bigVarintSize, utf8Length, varintSize, Writer } from './protobuf-writer.js';

// Hand-written protobuf writer for Loki's PushRequest (pkg/push/push.proto): four message types, so a
// two-pass size-then-write encoder is smaller and faster than a generated protobuf library, and
// writes straight into one Buffer with no intermediate objects.

const NS_PER_S = 1_000_000_000n;

interface EntrySizes {
  seconds: bigint;
  nanos: number;
  tsSize: number;
  lineBytes: number;
  metadata: Array<{ nameBytes: number; valueBytes: number; size: number }>;
  size: number;
}

/** Sizes of an entry before 1970 (negative seconds: a ten-byte varint, so BigInt arithmetic). */
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

function fieldSize(bytes: number): number {
  return bytes > 0 ? 1 + varintSize(bytes) + bytes : 0;
}

/** Size of a Timestamp message whose seconds fit a double. */
function timestampSize(seconds: number, nanos: number): number {
  return (seconds !== 0 ? 1 + varintSize(seconds) : 0) + (nanos !== 0 ? 1 + varintSize(nanos) : 0);
}

interface GroupPlan {
  group: StreamGroup;
  labelBytes: number;
  size: number;
  /** Per entry: its message size, seconds and nanos (unset for a pre-1970 one); line bytes of the UTF-8 ones. */
  sizes: number[];
  seconds: number[];
  nanos: number[];
  lineBytes: number[];
  /** Name and value bytes of every metadata pair, in order, of the entries with a non-ASCII string. */
  metaBytes: number[];
  /** Per entry: ASCII, UTF-8 or pre-1970 (sized by {@link entrySizes}). */
  kinds: Uint8Array;
  old: Array<EntrySizes | undefined>;
}

const ASCII = 0;
const UTF8 = 1;
const OLD = 2;
/** Held as bytes (packed-entry.ts): copied. */
const PACKED = 3;

/**
 * Sizes one stream's entries. An entry's UTF-8 byte count (`entry.bytes`) tells without a scan whether
 * its strings are ASCII (it equals their UTF-16 length); then sizes come from string lengths. `measured`:
 * every string measured (when an entry's `bytes` proved wrong while writing).
 */
function planGroup(group: StreamGroup, measured: boolean): GroupPlan {
  const labelBytes = Buffer.byteLength(group.stream.key);
  const entries = group.entries;
  const count = entries.length;
  const sizes = new Array<number>(count);
  const seconds = new Array<number>(count);
  const nanos = new Array<number>(count);
  const kinds = new Uint8Array(count);
  const p: GroupPlan = {
    group,
    labelBytes,
    size: 0,
    sizes,
    seconds,
    nanos,
    lineBytes: [],
    metaBytes: [],
    kinds,
    old: [],
  };
  let size = 1 + varintSize(labelBytes) + labelBytes;
  for (let i = 0; i < count; i++) {
    const entry = entries[i]!;
    let e: number;
    if (entry instanceof PackedEntry) {
      kinds[i] = PACKED;
      e = entry.end - entry.start;
      sizes[i] = e;
      size += 1 + varintSize(e) + e;
      continue;
    }
    const ns = entry.timestampNs;
    if (ns < 0n) {
      const es = entrySizes(entry);
      kinds[i] = OLD;
      p.old[i] = es;
      e = es.size;
    } else {
      const whole = ns / NS_PER_S;
      const sec = Number(whole);
      const nano = Number(ns - whole * NS_PER_S);
      const tsSize = timestampSize(sec, nano);
      e = 1 + varintSize(tsSize) + tsSize;
      if (!measured && entry.bytes === asciiLength(entry)) {
        e += fieldSize(entry.line.length);
        if (entry.metadata !== undefined) {
          for (const [name, value] of entry.metadata) {
            const pair = fieldSize(name.length) + fieldSize(value.length);
            e += 1 + varintSize(pair) + pair;
          }
        }
      } else {
        kinds[i] = UTF8;
        e += utf8Sizes(p, i, entry, measured);
      }
      seconds[i] = sec;
      nanos[i] = nano;
    }
    sizes[i] = e;
    size += 1 + varintSize(e) + e;
  }
  p.size = size;
  return p;
}

/**
 * Size of the line and metadata fields of an entry with a non-ASCII string; records the byte counts in
 * `p`. Only the metadata strings are measured: the line has the rest of `entry.bytes`.
 */
function utf8Sizes(p: GroupPlan, i: number, entry: LokiEntry, measured: boolean): number {
  let size = 0;
  let metadataBytes = 0;
  if (entry.metadata !== undefined) {
    for (const [name, value] of entry.metadata) {
      const nameBytes = utf8Length(name);
      const valueBytes = utf8Length(value);
      p.metaBytes.push(nameBytes, valueBytes);
      metadataBytes += nameBytes + valueBytes;
      const pair = fieldSize(nameBytes) + fieldSize(valueBytes);
      size += 1 + varintSize(pair) + pair;
    }
  }
  let lineBytes = measured ? utf8Length(entry.line) : entry.bytes - metadataBytes;
  // Fewer bytes than UTF-16 units is impossible: `bytes` is wrong, measure (the writer checks the rest).
  if (lineBytes < entry.line.length) lineBytes = utf8Length(entry.line);
  p.lineBytes[i] = lineBytes;
  return size + fieldSize(lineBytes);
}

/** Encodes streams as an (uncompressed) protobuf PushRequest. */
export function encodePushRequestProtobuf(groups: readonly StreamGroup[]): Buffer {
  return encode(groups, false) ?? (encode(groups, true) as Buffer);
}

/** The request, or undefined when a string's byte count was not what its entry said (unless `measured`). */
function encode(groups: readonly StreamGroup[], measured: boolean): Buffer | undefined {
  const plan = groups.map((group) => planGroup(group, measured));
  let total = 0;
  for (const s of plan) total += 1 + varintSize(s.size) + s.size;
  const w = new Writer(Buffer.allocUnsafe(total));
  for (const s of plan) {
    w.byte(0x0a); // PushRequest.streams
    w.varint(s.size);
    w.byte(0x0a); // StreamAdapter.labels
    w.string(s.group.stream.key, s.labelBytes);
    const entries = s.group.entries;
    let m = 0; // next in s.metaBytes
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      w.byte(0x12); // StreamAdapter.entries
      w.varint(s.sizes[i]!);
      const kind = s.kinds[i]!;
      if (kind === PACKED) {
        copyWire(w, entry as PackedEntry);
        continue;
      }
      if (kind === OLD) {
        writeOldEntry(w, entry, s.old[i]!);
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
      if (kind === ASCII) {
        if (entry.line.length > 0) {
          w.byte(0x12); // EntryAdapter.line
          w.ascii(entry.line);
        }
        if (entry.metadata === undefined) continue;
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
        continue;
      }
      const lineBytes = s.lineBytes[i]!;
      if (lineBytes > 0) {
        w.byte(0x12); // EntryAdapter.line
        w.string(entry.line, lineBytes);
      }
      if (entry.metadata === undefined) continue;
      for (const [name, value] of entry.metadata) {
        const nameBytes = s.metaBytes[m++]!;
        const valueBytes = s.metaBytes[m++]!;
        w.byte(0x1a); // EntryAdapter.structuredMetadata
        w.varint(fieldSize(nameBytes) + fieldSize(valueBytes));
        if (nameBytes > 0) {
          w.byte(0x0a);
          w.string(name, nameBytes);
        }
        if (valueBytes > 0) {
          w.byte(0x12);
          w.string(value, valueBytes);
        }
      }
    }
  }
  if (w.mismatch && !measured) return undefined;
  return w.buf;
}

/** An entry's bytes as held: short ones by hand (Buffer.copy makes a view first). */
function copyWire(w: Writer, entry: PackedEntry): void {
  const { wire, start, end } = entry;
  const buf = w.buf;
  if (end - start <= 96) {
    let pos = w.pos;
    for (let k = start; k < end; k++) buf[pos++] = wire[k]!;
    w.pos = pos;
  } else w.pos += wire.copy(buf, w.pos, start, end);
}

function writeOldEntry(w: Writer, entry: LokiEntry, e: EntrySizes): void {
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
