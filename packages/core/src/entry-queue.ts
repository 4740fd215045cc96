import type { LokiEntry } from './record.js';

/** What holds the entries waiting for a batch, oldest first; their seqs increase from the front. */
export interface HeldQueue {
  readonly length: number;
  /** line + metadata bytes of the entries held. */
  readonly bytes: number;
  push(entry: LokiEntry): void;
  shift(): LokiEntry | undefined;
  /** Seq of the front entry. */
  firstSeq(): number | undefined;
  /** Byte count of the entry `index` places from the front. */
  bytesAt(index: number): number | undefined;
  /** The first `n` entries, left in place. */
  front(n: number): LokiEntry[];
  /** Removes and returns the first `n` entries. */
  take(n: number): LokiEntry[];
  /** How many entries have a seq up to `target`. */
  countUpTo(target: number): number;
  /** Removes and returns every entry. */
  clear(): LokiEntry[];
}

/**
 * FIFO of entry objects (with the disk buffer, which keeps state on them; else compact-queue.ts) with O(1)
 * push and shift: an array with a moving head, compacted when half empty
 * (Array.prototype.shift is O(n) on large arrays).
 */
export class EntryQueue implements HeldQueue {
  private items: LokiEntry[] = [];
  private head = 0;
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(entry: LokiEntry): void {
    this.items.push(entry);
    this.bytes += entry.bytes;
  }

  shift(): LokiEntry | undefined {
    if (this.head >= this.items.length) return undefined;
    const entry = this.items[this.head]!;
    this.items[this.head] = undefined as unknown as LokiEntry;
    this.head++;
    this.bytes -= entry.bytes;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }

  firstSeq(): number | undefined {
    return this.items[this.head]?.seq;
  }

  bytesAt(index: number): number | undefined {
    return this.items[this.head + index]?.bytes;
  }

  front(n: number): LokiEntry[] {
    return this.items.slice(this.head, this.head + n);
  }

  take(n: number): LokiEntry[] {
    const out = this.front(n);
    for (let i = 0; i < out.length; i++) this.shift();
    return out;
  }

  countUpTo(target: number): number {
    let n = 0;
    for (let i = this.head; i < this.items.length && this.items[i]!.seq <= target; i++) n++;
    return n;
  }

  clear(): LokiEntry[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return rest;
  }
}
