import { nowNs } from './timestamp.js';
import type { EntryChunk } from './worker-protocol.js';

/** The entries of this tick (or up to a size), collected on the main thread for one postMessage. */
export class ChunkBuilder {
  lines: string[] = [];
  chars = 0;
  private times: number[] = [];
  private records: number[] = [];
  private baseNs = 0n;
  private baseMillis = 0;

  add(text: string, mapped: boolean): void {
    if (mapped) this.records.push(this.lines.length);
    if (this.lines.length === 0) {
      this.baseNs = nowNs();
      this.baseMillis = performance.now();
    }
    this.lines.push(text);
    this.times.push(performance.now());
    this.chars += text.length;
  }

  chunk(): EntryChunk {
    return {
      type: 'entries',
      text: this.lines.join('\n'),
      count: this.lines.length,
      times: this.times,
      baseNs: this.baseNs,
      baseMillis: this.baseMillis,
      records: this.records,
    };
  }

  /** A new chunk: the posted arrays were copied by postMessage (or are given up), never reused. */
  reset(): void {
    this.lines = [];
    this.times = [];
    this.records = [];
    this.chars = 0;
  }
}
