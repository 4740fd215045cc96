import type { HeldQueue } from './entry-queue.js';
import { entryWireSize, PackedEntry, writeEntryWire } from './packed-entry.js';
import { Writer } from './protobuf-writer.js';
import type { LokiEntry, StreamRef } from './record.js';

/**
 * The FIFO of held entries as bytes: each entry's protobuf `EntryAdapter` in a chunk's arena, plus three
 * numbers in typed arrays (end offset, byte count, stream). About 10 bytes and no JS object per entry besides
 * its wire bytes, so a million held entries are not a million object graphs for the garbage collector.
 * Entries become objects again (PackedEntry) only when they leave the queue or are read for a batch.
 * Only for entries without disk state: the disk buffer keeps entry objects (entry-queue.ts).
 */

const MIN_ARENA = 4096;
const MAX_ARENA = 256 * 1024;
const MAX_CHUNK_ENTRIES = 8192;
const MAX_CHUNK_STREAMS = 0xffff;

class Chunk {
  used = 0;
  count = 0;
  /** Entries already taken from the front. */
  head = 0;
  ends: Uint32Array;
  bytes: Uint32Array;
  streamIds: Uint16Array;
  readonly streams: StreamRef[] = [];
  private lastStream: StreamRef | undefined;
  private lastId = 0;
  readonly writer: Writer;

  constructor(
    readonly arena: Buffer,
    /** Seq of its first entry: the entries of a chunk have consecutive seqs. */
    readonly firstSeq: number,
  ) {
    this.writer = new Writer(arena);
    const capacity = Math.min(MAX_CHUNK_ENTRIES, Math.max(64, arena.length >> 7));
    this.ends = new Uint32Array(capacity);
    this.bytes = new Uint32Array(capacity);
    this.streamIds = new Uint16Array(capacity);
  }

  /** Whether an entry of `size` bytes with this `seq` can join. */
  takes(size: number, seq: number): boolean {
    return (
      this.used + size <= this.arena.length &&
      this.count < MAX_CHUNK_ENTRIES &&
      this.streams.length < MAX_CHUNK_STREAMS &&
      seq === this.firstSeq + this.count
    );
  }

  streamId(stream: StreamRef): number {
    if (stream === this.lastStream) return this.lastId;
    let id = this.streams.indexOf(stream);
    if (id < 0) id = this.streams.push(stream) - 1;
    this.lastStream = stream;
    this.lastId = id;
    return id;
  }

  /** Empty again (the scratch arena's reuse): its bytes may be overwritten. */
  reset(): void {
    this.used = 0;
    this.count = 0;
    this.head = 0;
    this.streams.length = 0;
    this.lastStream = undefined;
  }

  add(end: number, bytes: number, streamId: number): void {
    if (this.count === this.ends.length) {
      // As many as the arena will hold at the entries' size so far (doubling would leave half unused).
      const capacity = Math.min(MAX_CHUNK_ENTRIES, Math.ceil((this.count * this.arena.length) / end) + 16);
      const grow = <T extends Uint32Array | Uint16Array>(a: T, make: (n: number) => T): T => {
        const next = make(Math.max(capacity, a.length + 16));
        next.set(a);
        return next;
      };
      this.ends = grow(this.ends, (n) => new Uint32Array(n));
      this.bytes = grow(this.bytes, (n) => new Uint32Array(n));
      this.streamIds = grow(this.streamIds, (n) => new Uint16Array(n));
    }
    const i = this.count++;
    this.ends[i] = end;
    this.bytes[i] = bytes;
    this.streamIds[i] = streamId;
    this.used = end;
  }

  entry(i: number): PackedEntry {
    const start = i === 0 ? 0 : this.ends[i - 1]!;
    return new PackedEntry(
      this.streams[this.streamIds[i]!]!,
      this.firstSeq + i,
      this.bytes[i]!,
      this.arena,
      start,
      this.ends[i]!,
    );
  }
}

/** Where an entry's bytes go: the chunk that takes `size` more bytes for this `seq` (a new one when `fresh`). */
interface ChunkSource {
  tailFor(size: number, seq: number, fresh: boolean): Chunk;
}

/**
 * THE writer of an entry's wire form (queued entries and, through {@link packEntry}, every other entry the
 * protobuf encoder meets): written once at the tail, again with every string measured if `bytes` was wrong.
 */
function writeEntry(entry: LokiEntry, seq: number, source: ChunkSource): Chunk {
  let size = entryWireSize(entry, false);
  let chunk = source.tailFor(size, seq, false);
  let w = chunk.writer;
  const at = chunk.used;
  w.pos = at;
  writeEntryWire(w, entry);
  if (w.mismatch) {
    // The entry's byte count was wrong: measure every string and write it again.
    w.mismatch = false;
    size = entryWireSize(entry, true);
    if (at + size > chunk.arena.length) chunk = source.tailFor(size, seq, true);
    w = chunk.writer;
    w.pos = chunk.used;
    writeEntryWire(w, entry);
  }
  chunk.add(w.pos, entry.bytes, chunk.streamId(entry.stream));
  return chunk;
}

const SCRATCH_ARENA = 64 * 1024;

/**
 * Where entries held as objects (the disk buffer's, a caller's own) are written for one encoding: one arena,
 * reused by the next encoding (the encoder has copied the bytes out by then); a larger one when it is full.
 */
const scratch = new (class implements ChunkSource {
  chunk = new Chunk(Buffer.allocUnsafeSlow(SCRATCH_ARENA), 0);
  tailFor(size: number, _seq: number, fresh: boolean): Chunk {
    const c = this.chunk;
    if (!fresh && c.takes(size, c.firstSeq + c.count)) return c;
    this.chunk = new Chunk(Buffer.allocUnsafeSlow(Math.max(size, c.arena.length * 2)), 0);
    return this.chunk;
  }
})();

/** The bytes {@link packTransient} wrote last: `arena` from `start` to `end`. */
export const transientWire = { arena: scratch.chunk.arena, start: 0, end: 0 };

/** Starts an encoding's use of the scratch arena: what the last one wrote there is no longer read. */
export function beginTransient(): void {
  scratch.chunk.reset();
}

/**
 * Writes an entry held as an object in its wire form (see {@link transientWire}), so that the protobuf encoder
 * has one way to write an entry: it copies these bytes as it copies a queued entry's. Valid until the next
 * {@link beginTransient}.
 */
export function packTransient(entry: LokiEntry): void {
  const chunk = writeEntry(entry, 0, scratch);
  transientWire.arena = chunk.arena;
  transientWire.start = chunk.count === 1 ? 0 : chunk.ends[chunk.count - 2]!;
  transientWire.end = chunk.used;
}

export class CompactQueue implements HeldQueue, ChunkSource {
  /** Chunks in order; `chunks[first]` holds the front entry. */
  private chunks: Chunk[] = [];
  private first = 0;
  private count = 0;
  private nextArena = MIN_ARENA;
  bytes = 0;

  get length(): number {
    return this.count;
  }

  push(entry: LokiEntry): void {
    writeEntry(entry, entry.seq, this);
    this.count++;
    this.bytes += entry.bytes;
  }

  tailFor(size: number, seq: number, fresh: boolean): Chunk {
    const tail = this.chunks[this.chunks.length - 1];
    if (!fresh && tail !== undefined && tail.takes(size, seq)) return tail;
    // Arenas grow while the queue does, so that a client holding a few entries holds a few KiB.
    const arenaBytes = Math.max(size, this.nextArena);
    this.nextArena = Math.min(MAX_ARENA, this.nextArena * 2);
    const chunk = new Chunk(Buffer.allocUnsafeSlow(arenaBytes), seq);
    this.chunks.push(chunk);
    return chunk;
  }

  /** Seq of the front entry. */
  firstSeq(): number | undefined {
    const c = this.chunks[this.first];
    return c === undefined ? undefined : c.firstSeq + c.head;
  }

  /** Byte count of the entry `index` places from the front. */
  bytesAt(index: number): number | undefined {
    for (let k = this.first; k < this.chunks.length; k++) {
      const c = this.chunks[k]!;
      const n = c.count - c.head;
      if (index < n) return c.bytes[c.head + index];
      index -= n;
    }
    return undefined;
  }

  /** The first `n` entries, left in place (as objects: for a batch encoded ahead). */
  front(n: number): LokiEntry[] {
    const out: LokiEntry[] = [];
    for (let k = this.first; k < this.chunks.length && out.length < n; k++) {
      const c = this.chunks[k]!;
      for (let i = c.head; i < c.count && out.length < n; i++) out.push(c.entry(i));
    }
    return out;
  }

  /** Removes and returns the first `n` entries. */
  take(n: number): LokiEntry[] {
    const out: LokiEntry[] = [];
    while (out.length < n && this.count > 0) {
      const c = this.chunks[this.first]!;
      const stop = Math.min(c.count, c.head + n - out.length);
      for (let i = c.head; i < stop; i++) {
        const e = c.entry(i);
        this.bytes -= e.bytes;
        out.push(e);
      }
      this.count -= stop - c.head;
      c.head = stop;
      this.dropUsed();
    }
    return out;
  }

  shift(): LokiEntry | undefined {
    return this.take(1)[0];
  }

  /** How many entries have a seq up to `target`. */
  countUpTo(target: number): number {
    let n = 0;
    for (let k = this.first; k < this.chunks.length; k++) {
      const c = this.chunks[k]!;
      const from = c.firstSeq + c.head;
      if (from > target) break;
      n += Math.min(c.count - c.head, target - from + 1);
    }
    return n;
  }

  clear(): LokiEntry[] {
    const rest = this.take(this.count);
    this.chunks = [];
    this.first = 0;
    this.nextArena = MIN_ARENA;
    return rest;
  }

  /** Lets go of chunks whose entries are all taken (their arenas stay alive while a batch reads them). */
  private dropUsed(): void {
    for (let c = this.chunks[this.first]; c !== undefined && c.head === c.count; c = this.chunks[this.first]) {
      // The tail chunk is still written to, unless the queue is empty: then the next entry starts afresh.
      if (this.first === this.chunks.length - 1 && this.count > 0) break;
      this.first++;
    }
    if (this.first >= 1024 || (this.first > 0 && this.first === this.chunks.length)) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
    if (this.count === 0) this.nextArena = MIN_ARENA;
  }
}
