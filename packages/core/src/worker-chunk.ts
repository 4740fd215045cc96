import type { LokiEntryInput } from './entry-input.js';
import type { LokiEntrySink } from './entry-sink.js';
import { nowNs } from './timestamp.js';
import type { EntryChunk, WorkerLineMapper } from './worker-protocol.js';

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

/**
 * Each entry of a chunk, in order: its text, whether it is an already mapped record, and the time of its log
 * call as ns (the chunk's wall clock plus the monotonic offset).
 */
export function forEachEntry(chunk: EntryChunk, take: (line: string, isRecord: boolean, timeNs: bigint) => void): void {
  const lines = chunk.text.split('\n');
  const { records, times, baseNs, baseMillis } = chunk;
  let r = 0;
  for (let i = 0; i < chunk.count; i++) {
    const isRecord = r < records.length && records[r] === i;
    if (isRecord) r++;
    take(lines[i] ?? '', isRecord, baseNs + BigInt(Math.round(((times[i] ?? baseMillis) - baseMillis) * 1e6)));
  }
}

/** One entry through the adapter's mapper; should it throw (it cannot: the text is the adapter's JSON), kept as is. */
export function mapEntry(line: string, isRecord: boolean, mapLine: WorkerLineMapper, options: unknown): LokiEntryInput {
  try {
    return mapLine(line, isRecord, options);
  } catch {
    return { line };
  }
}

/**
 * A chunk into an entry sink: each entry mapped, timed at its log call unless the mapper gave it a time. The one
 * path in: the worker takes its chunks so, and so does the in-thread fallback with the chunk the worker never got.
 */
export function pushChunk(
  chunk: EntryChunk,
  mapLine: WorkerLineMapper,
  options: unknown,
  sink: Pick<LokiEntrySink, 'pushEntry'>,
): void {
  forEachEntry(chunk, (line, isRecord, timeNs) => {
    const entry = mapEntry(line, isRecord, mapLine, options);
    entry.timestamp ??= timeNs;
    sink.pushEntry(entry);
  });
}
