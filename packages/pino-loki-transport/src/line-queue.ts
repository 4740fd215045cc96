/**
 * pino's lines as read, not yet mapped: the text of each chunk thread-stream hands over is copied once, as
 * UTF-8, into byte chunks, and a line becomes a string again only when the mapper takes it. Mapping (JSON
 * parse, labels) happens in batches off the read path, so the reader keeps up with pino's exit
 * (thread-stream's flushSync waits for every byte to be read before the stream can end) and the close
 * deadline can start when pino ends the stream, not after the last line is mapped.
 *
 * Why bytes and not the strings: a backlog (a burst, Loki down) waits here for many scavenges. Held as the
 * split strings, it was promoted to the old generation with its arrays, grew the young generation to its
 * 2 × 16 MiB maximum on the way, and stayed in RSS as garbage after it was mapped, until a major GC that an
 * idle worker never runs (~330 B per line of a 300 000-line burst). Bytes are off the heap: the strings die
 * young, and the one chunk left when the queue is empty is reused.
 */

/** The first chunk's size; each new chunk doubles the last one, up to the largest. */
const FIRST_CHUNK_BYTES = 64 * 1024;
/** thread-stream's default buffer: its largest write fits one chunk. A larger write gets its own size. */
const LARGEST_CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

interface Chunk {
  buf: Buffer;
  /** Start of the next line to take. */
  read: number;
  /** End of the last complete line (after its newline); the bytes from here to `write` are a partial line. */
  lineEnd: number;
  /** End of the bytes written. */
  write: number;
  /** Complete lines not yet taken. */
  lines: number;
}

export class LineQueue {
  private chunks: Chunk[] = [];
  /** UTF-16 units of the partial line (after the last newline). */
  private partialChars = 0;
  /** A chunk's last unit when it is the first half of a surrogate pair: written with the next chunk. */
  private highSurrogate = '';
  /** Complete lines queued. */
  size = 0;
  /** UTF-16 units queued (the complete lines' text and newlines), for the reader's bound. */
  chars = 0;

  /** Queues the complete lines of `text`; returns how many. */
  add(text: string): number {
    if (this.highSurrogate !== '') {
      text = this.highSurrogate + text;
      this.highSurrogate = '';
    }
    const lastUnit = text.charCodeAt(text.length - 1);
    if (lastUnit >= 0xd800 && lastUnit <= 0xdbff) {
      this.highSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    return this.queue(text);
  }

  /** The input ended: a last line without a newline is a line too. Returns how many were queued. */
  end(): number {
    const lone = this.highSurrogate;
    this.highSurrogate = '';
    const added = this.queue(lone);
    const tail = this.chunks[this.chunks.length - 1];
    if (tail === undefined || tail.write === tail.lineEnd) return added;
    tail.lineEnd = tail.write;
    tail.lines++;
    this.size++;
    this.chars += this.partialChars;
    this.partialChars = 0;
    return added + 1;
  }

  private queue(text: string): number {
    if (text.length === 0) return 0;
    let added = 0;
    let lastNewline = -1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      added++;
      lastNewline = i;
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    let tail = this.chunks[this.chunks.length - 1];
    if (tail === undefined || tail.buf.length - tail.write < bytes) tail = this.newTail(bytes);
    const start = tail.write;
    tail.write += tail.buf.write(text, start, 'utf8');
    if (added === 0) {
      this.partialChars += text.length;
      return 0;
    }
    tail.lineEnd = tail.buf.lastIndexOf(NEWLINE, tail.write - 1) + 1;
    tail.lines += added;
    this.size += added;
    this.chars += this.partialChars + lastNewline + 1;
    this.partialChars = text.length - lastNewline - 1;
    return added;
  }

  /** Up to `max` lines, oldest first, across chunks (an empty array when none is queued). */
  take(max: number): string[] {
    const batch: string[] = [];
    let chars = 0;
    while (batch.length < max) {
      const first = this.chunks[0];
      if (first === undefined || first.lines === 0) break;
      const { buf, lineEnd } = first;
      // Where the lines this batch takes from the chunk end, then one decode and one split for all of them
      // (a decode per line cost ~40 ns more per line).
      const want = Math.min(first.lines, max - batch.length);
      let next = first.read;
      let stop = next;
      for (let k = 0; k < want; k++) {
        const newline = buf.indexOf(NEWLINE, next);
        // The last line at the input's end has no newline (and a reused chunk has old bytes past `write`).
        stop = newline !== -1 && newline < lineEnd ? newline : lineEnd;
        next = stop === newline ? newline + 1 : stop;
      }
      const text = buf.toString('utf8', first.read, stop);
      for (const line of want === 1 ? [text] : text.split('\n')) batch.push(line);
      chars += text.length + 1;
      first.read = next;
      first.lines -= want;
      if (first.lines === 0 && this.chunks.length > 1) this.chunks.shift();
    }
    const only = this.chunks.length === 1 ? this.chunks[0]! : undefined;
    // All taken and no partial line: the next write starts at the chunk's start again.
    if (only !== undefined && only.lines === 0 && only.write === only.lineEnd)
      only.read = only.lineEnd = only.write = 0;
    this.size -= batch.length;
    this.chars = this.size === 0 ? 0 : Math.max(0, this.chars - chars);
    return batch;
  }

  /** Empties the queue; returns how many complete lines it held. */
  clear(): number {
    const n = this.size;
    this.chunks = [];
    this.partialChars = 0;
    this.highSurrogate = '';
    this.size = 0;
    this.chars = 0;
    return n;
  }

  /**
   * A chunk with room for `bytes` after the partial line, which moves into it. When every line of the tail
   * is taken, the tail itself is reused (its partial line moved to its start) if it has the room.
   */
  private newTail(bytes: number): Chunk {
    const tail = this.chunks[this.chunks.length - 1];
    const partial = tail === undefined ? 0 : tail.write - tail.lineEnd;
    const needed = partial + bytes;
    if (tail !== undefined && tail.lines === 0 && tail.buf.length >= needed) {
      tail.buf.copyWithin(0, tail.lineEnd, tail.write);
      tail.read = 0;
      tail.lineEnd = 0;
      tail.write = partial;
      return tail;
    }
    const grown = tail === undefined ? FIRST_CHUNK_BYTES : Math.min(LARGEST_CHUNK_BYTES, tail.buf.length * 2);
    const chunk: Chunk = {
      buf: Buffer.allocUnsafeSlow(Math.max(grown, needed)),
      read: 0,
      lineEnd: 0,
      write: 0,
      lines: 0,
    };
    if (tail !== undefined) {
      chunk.write = tail.buf.copy(chunk.buf, 0, tail.lineEnd, tail.write);
      tail.write = tail.lineEnd;
      if (tail.lines === 0) this.chunks.pop();
    }
    this.chunks.push(chunk);
    return chunk;
  }
}
