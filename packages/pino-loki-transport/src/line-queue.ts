/**
 * pino's lines as read, not yet mapped: each chunk thread-stream hands over is split once, whole, and
 * queued as text. Mapping (JSON parse, labels) happens in batches off the read path, so the reader keeps
 * up with pino's exit (thread-stream's flushSync waits for every byte to be read before the stream can
 * end) and the close deadline can start when pino ends the stream, not after the last line is mapped.
 */
export class LineQueue {
  private chunks: string[][] = [];
  /** Next line to take in chunks[0]. */
  private head = 0;
  /** The part after a chunk's last newline: the start of the next chunk's first line. */
  private partial = '';
  /** Complete lines queued. */
  size = 0;
  /** UTF-16 units queued (the lines' text), for the reader's bound. */
  chars = 0;

  /** Queues the complete lines of `text`; returns how many. */
  add(text: string): number {
    if (text.length === 0) return 0;
    const parts = text.split('\n');
    this.partial += parts[0]!;
    if (parts.length === 1) return 0;
    parts[0] = this.partial;
    this.partial = parts.pop()!;
    return this.queue(parts, text.length - this.partial.length);
  }

  /** The input ended: a last line without a newline is a line too. Returns how many were queued. */
  end(): number {
    if (this.partial.length === 0) return 0;
    const last = this.partial;
    this.partial = '';
    return this.queue([last], last.length);
  }

  /** Up to `max` lines, oldest first, across chunks (an empty array when none is queued). */
  take(max: number): string[] {
    let batch: string[] = [];
    while (batch.length < max) {
      const first = this.chunks[0];
      if (first === undefined) break;
      const part = first.slice(this.head, this.head + max - batch.length);
      batch = batch.length === 0 ? part : batch.concat(part);
      this.head += part.length;
      if (this.head >= first.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.size -= batch.length;
    let chars = batch.length; // the newlines
    for (const line of batch) chars += line.length;
    this.chars = this.size === 0 ? 0 : Math.max(0, this.chars - chars);
    return batch;
  }

  /** Empties the queue; returns how many complete lines it held. */
  clear(): number {
    const n = this.size;
    this.chunks = [];
    this.head = 0;
    this.size = 0;
    this.chars = 0;
    return n;
  }

  private queue(lines: string[], chars: number): number {
    this.chunks.push(lines);
    this.size += lines.length;
    this.chars += chars;
    return lines.length;
  }
}
