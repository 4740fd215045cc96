import { beginTransient, packTransient, transientWire } from './compact-queue.js';
import { PackedEntry } from './packed-entry.js';
import type { StreamGroup } from './stream-groups.js';
import { varintSize, Writer } from './protobuf-writer.js';

// Hand-written protobuf writer for Loki's PushRequest (pkg/push/push.proto): four message types, so a
// two-pass size-then-write encoder is smaller and faster than a generated protobuf library, and
// writes straight into one Buffer with no intermediate objects. Each entry's `EntryAdapter` is written by
// packed-entry.ts alone: a queued entry holds it already; any other entry is written to a scratch arena first.

interface GroupPlan {
  group: StreamGroup;
  labelBytes: number;
  size: number;
  /** Per entry: the buffer holding its `EntryAdapter`, and where. */
  wires: Buffer[];
  starts: number[];
  ends: number[];
}

function planGroup(group: StreamGroup): GroupPlan {
  const labelBytes = Buffer.byteLength(group.stream.key);
  const entries = group.entries;
  const count = entries.length;
  const wires = new Array<Buffer>(count);
  const starts = new Array<number>(count);
  const ends = new Array<number>(count);
  let size = 1 + varintSize(labelBytes) + labelBytes;
  for (let i = 0; i < count; i++) {
    const entry = entries[i]!;
    let e: number;
    if (entry instanceof PackedEntry) {
      wires[i] = entry.wire;
      starts[i] = entry.start;
      ends[i] = entry.end;
      e = entry.end - entry.start;
    } else {
      packTransient(entry);
      wires[i] = transientWire.arena;
      starts[i] = transientWire.start;
      ends[i] = transientWire.end;
      e = transientWire.end - transientWire.start;
    }
    size += 1 + varintSize(e) + e;
  }
  return { group, labelBytes, size, wires, starts, ends };
}

/** Encodes streams as an (uncompressed) protobuf PushRequest. */
export function encodePushRequestProtobuf(groups: readonly StreamGroup[]): Buffer {
  beginTransient();
  const plan = groups.map(planGroup);
  let total = 0;
  for (const s of plan) total += 1 + varintSize(s.size) + s.size;
  const w = new Writer(Buffer.allocUnsafe(total));
  for (const s of plan) {
    w.byte(0x0a); // PushRequest.streams
    w.varint(s.size);
    w.byte(0x0a); // StreamAdapter.labels
    w.string(s.group.stream.key, s.labelBytes);
    for (let i = 0; i < s.wires.length; i++) {
      w.byte(0x12); // StreamAdapter.entries
      w.varint(s.ends[i]! - s.starts[i]!);
      copyWire(w, s.wires[i]!, s.starts[i]!, s.ends[i]!);
    }
  }
  return w.buf;
}

/** An entry's bytes: short ones by hand (Buffer.copy makes a view first). */
function copyWire(w: Writer, wire: Buffer, start: number, end: number): void {
  const buf = w.buf;
  if (end - start <= 96) {
    let pos = w.pos;
    for (let k = start; k < end; k++) buf[pos++] = wire[k]!;
    w.pos = pos;
  } else w.pos += wire.copy(buf, w.pos, start, end);
}
