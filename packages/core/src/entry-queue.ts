import type { LokiEntry } from './record.js';

/**
 * FIFO of entries with O(1) push and shift: an array with a moving head, compacted when half empty
 * (Array.prototype.shift is O(n) on large arrays).
 */
export class EntryQueue {
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

  peek(): LokiEntry | undefined {
    return this.items[this.head];
  }

  /** The entry `index` places from the front, without removing it. */
  at(index: number): LokiEntry | undefined {
    return this.items[this.head + index];
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

  /** Entries from the front, without removing them. */
  *values(): IterableIterator<LokiEntry> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }

  clear(): LokiEntry[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return rest;
  }
}
