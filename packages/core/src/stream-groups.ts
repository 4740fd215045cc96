import type { LokiEntry, StreamRef } from './record.js';

export interface StreamGroup {
  readonly stream: StreamRef;
  readonly entries: LokiEntry[];
}

/** One stream object per label set, entries in arrival order (keyed by canonical label text). */
export function groupByStream(entries: Iterable<LokiEntry>): StreamGroup[] {
  const groups = new Map<string, StreamGroup>();
  for (const entry of entries) {
    let group = groups.get(entry.stream.key);
    if (group === undefined) {
      group = { stream: entry.stream, entries: [] };
      groups.set(entry.stream.key, group);
    }
    group.entries.push(entry);
  }
  return [...groups.values()];
}
