import type { DiskSegment, LokiEntry, StreamRef } from './record.js';
import { splitNs } from './timestamp.js';
import { bigVarintSize, utf8Length, varintSize, type Writer } from './protobuf-writer.js';

/**
 * A held entry as bytes: its protobuf `EntryAdapter` (timestamp, line, structured metadata), the form the
 * default wire format needs, written once when the entry is queued (compact-queue.ts). A batch's protobuf
 * body copies these bytes under the stream's header; the other encoders read the strings back, decoded on
 * first use.
 */

const NS_PER_S = 1_000_000_000n;

/** Byte counts of the entry last sized: line, then name and value of each metadata pair. */
const counts: number[] = [0];
/** Its strings are all ASCII: written byte per character. */
let asciiOnly = false;
let timestampBytes = 0;
let seconds = 0;
let nanos = 0;
let oldSeconds = 0n;
/** The second last split, in seconds and in ns (see entryWireSize). */
let secondStart = 0;
let secondStartNs = 0n;

function fieldSize(bytes: number): number {
  return bytes > 0 ? 1 + varintSize(bytes) + bytes : 0;
}

/** UTF-16 length of an entry's strings: equal to `entry.bytes` (their UTF-8 bytes) exactly when all are ASCII. */
function asciiLength(entry: LokiEntry): number {
  let n = entry.line.length;
  const metadata = entry.metadata;
  if (metadata !== undefined) {
    for (let i = 0; i < metadata.length; i++) n += metadata[i]![0].length + metadata[i]![1].length;
  }
  return n;
}

/**
 * Size of the entry's `EntryAdapter` message; keeps what {@link writeEntryWire} needs. ASCII entries (their
 * `bytes` equals their UTF-16 length) are sized from string lengths; else the metadata strings are measured
 * and the line has the rest of `bytes`, unless `measured` (every string measured: `bytes` proved wrong).
 */
export function entryWireSize(entry: LokiEntry, measured: boolean): number {
  const ns = entry.timestampNs;
  if (ns < 0n) {
    // Before 1970: negative seconds, a ten-byte varint (BigInt arithmetic).
    const split = splitNs(ns);
    oldSeconds = split.seconds;
    seconds = -1;
    nanos = split.nanos;
    timestampBytes =
      (oldSeconds !== 0n ? 1 + bigVarintSize(oldSeconds) : 0) + (nanos !== 0 ? 1 + varintSize(nanos) : 0);
  } else {
    // Entries come in time order, mostly within the second of the one before: one BigInt subtraction then,
    // not a division and a remainder (BigInt arithmetic is most of an entry's sizing).
    const inSecond = ns - secondStartNs;
    if (inSecond >= 0n && inSecond < NS_PER_S) {
      seconds = secondStart;
      nanos = Number(inSecond);
    } else {
      seconds = Number(ns / NS_PER_S);
      secondStart = seconds;
      secondStartNs = BigInt(seconds) * NS_PER_S;
      nanos = Number(ns - secondStartNs);
    }
    timestampBytes = (seconds !== 0 ? 1 + varintSize(seconds) : 0) + (nanos !== 0 ? 1 + varintSize(nanos) : 0);
  }
  let size = 1 + varintSize(timestampBytes) + timestampBytes;
  const metadata = entry.metadata;
  const ascii = !measured && entry.bytes === asciiLength(entry);
  asciiOnly = ascii;
  let metadataBytes = 0;
  if (metadata !== undefined) {
    let m = 1;
    for (let i = 0; i < metadata.length; i++) {
      const name = metadata[i]![0];
      const value = metadata[i]![1];
      const nameBytes = ascii ? name.length : utf8Length(name);
      const valueBytes = ascii ? value.length : utf8Length(value);
      counts[m++] = nameBytes;
      counts[m++] = valueBytes;
      metadataBytes += nameBytes + valueBytes;
      const pair = fieldSize(nameBytes) + fieldSize(valueBytes);
      size += 1 + varintSize(pair) + pair;
    }
  }
  const line = entry.line;
  let lineBytes = ascii ? line.length : measured ? utf8Length(line) : entry.bytes - metadataBytes;
  // Fewer bytes than UTF-16 units is impossible: `bytes` is wrong, measure (the writer checks the rest).
  if (lineBytes < line.length) lineBytes = utf8Length(line);
  counts[0] = lineBytes;
  return size + fieldSize(lineBytes);
}

/** Writes the entry last sized by {@link entryWireSize}; `w.mismatch` tells a wrong byte count. */
export function writeEntryWire(w: Writer, entry: LokiEntry): void {
  w.byte(0x0a); // EntryAdapter.timestamp
  w.varint(timestampBytes);
  if (seconds < 0) {
    if (oldSeconds !== 0n) {
      w.byte(0x08);
      w.bigVarint(oldSeconds);
    }
  } else if (seconds !== 0) {
    w.byte(0x08);
    w.varint(seconds);
  }
  if (nanos !== 0) {
    w.byte(0x10);
    w.varint(nanos);
  }
  if (counts[0]! > 0) {
    w.byte(0x12); // EntryAdapter.line
    if (asciiOnly) w.ascii(entry.line);
    else w.string(entry.line, counts[0]!);
  }
  const metadata = entry.metadata;
  if (metadata === undefined) return;
  if (asciiOnly) {
    for (let i = 0; i < metadata.length; i++) {
      const name = metadata[i]![0];
      const value = metadata[i]![1];
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
    return;
  }
  let m = 1;
  for (let i = 0; i < metadata.length; i++) {
    const name = metadata[i]![0];
    const value = metadata[i]![1];
    const nameBytes = counts[m++]!;
    const valueBytes = counts[m++]!;
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

interface Decoded {
  timestampNs: bigint;
  line: string;
  metadata: Array<[string, string]> | undefined;
}

/** An entry held as bytes, out of the queue (in a batch): its strings are read back when asked for. */
export class PackedEntry implements LokiEntry {
  private decoded: Decoded | undefined;
  // Disk state: never set on a packed entry (the disk buffer's queue holds entry objects); declared, not
  // initialised, so that each of the batch's entry objects has no slot for them.
  declare segment?: DiskSegment;
  declare diskIndex?: number;
  declare sentBefore?: boolean;
  declare settled?: boolean;

  constructor(
    readonly stream: StreamRef,
    public seq: number,
    readonly bytes: number,
    /** The arena holding the `EntryAdapter` bytes at [start, end). Never written again. */
    readonly wire: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  get timestampNs(): bigint {
    return (this.decoded ??= decodeEntry(this.wire, this.start, this.end)).timestampNs;
  }

  get line(): string {
    return (this.decoded ??= decodeEntry(this.wire, this.start, this.end)).line;
  }

  get metadata(): ReadonlyArray<readonly [string, string]> | undefined {
    return (this.decoded ??= decodeEntry(this.wire, this.start, this.end)).metadata;
  }
}

/** Reads a varint at `r.pos`; numbers up to 2^53 (lengths, seconds after 1970, nanos). */
function varint(buf: Buffer, r: { pos: number }): number {
  let n = 0;
  let scale = 1;
  let b: number;
  do {
    b = buf[r.pos++]!;
    n += (b & 0x7f) * scale;
    scale *= 128;
  } while (b >= 0x80);
  return n;
}

/** A ten-byte varint as a signed 64-bit value (seconds before 1970). */
function signedVarint(buf: Buffer, r: { pos: number }): bigint {
  let n = 0n;
  let shift = 0n;
  let b: number;
  do {
    b = buf[r.pos++]!;
    n |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b >= 0x80);
  return BigInt.asIntN(64, n);
}

function decodeEntry(buf: Buffer, start: number, end: number): Decoded {
  const r = { pos: start };
  let sec = 0n;
  let nano = 0;
  let line = '';
  let metadata: Array<[string, string]> | undefined;
  while (r.pos < end) {
    const tag = buf[r.pos++]!;
    const len = varint(buf, r);
    const stop = r.pos + len;
    if (tag === 0x0a) {
      while (r.pos < stop) {
        const field = buf[r.pos++]!;
        if (field === 0x08) {
          // A negative second is ten bytes long; a positive one fits a double.
          const at = r.pos;
          const n = varint(buf, r);
          sec = r.pos - at >= 10 ? ((r.pos = at), signedVarint(buf, r)) : BigInt(n);
        } else nano = varint(buf, r);
      }
    } else if (tag === 0x12) {
      line = buf.toString('utf8', r.pos, stop);
    } else {
      let name = '';
      let value = '';
      while (r.pos < stop) {
        const field = buf[r.pos++]!;
        const n = varint(buf, r);
        const text = buf.toString('utf8', r.pos, r.pos + n);
        r.pos += n;
        if (field === 0x0a) name = text;
        else value = text;
      }
      (metadata ??= []).push([name, value]);
    }
    r.pos = stop;
  }
  return { timestampNs: sec * NS_PER_S + BigInt(nano), line, metadata };
}
