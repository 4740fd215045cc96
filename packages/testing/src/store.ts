/** In-memory entry storage per tenant and stream, with Loki's exact-duplicate suppression. */
import type { StoredEntry, StoredStream } from './types.js';

/** An accepted entry to be stored; its `metadata` object is handed over (frozen and kept). */
export interface NewEntry {
  timestampNs: bigint;
  line: string;
  metadata: Record<string, string>;
}

interface StreamRecord {
  tenant: string;
  labels: Readonly<Record<string, string>>;
  stream: string;
  entries: StoredEntry[];
  /** Latest timestamp stored: an entry after it cannot be a duplicate. */
  maxTimestampNs: bigint;
  /**
   * Lines stored per timestamp, for de-duplication. Built on the first entry at or before
   * `maxTimestampNs` and kept from then on: a stream written in time order (the usual case) never
   * pays for it (it cost ~0.65 µs per entry, most of the receiver's time in the benchmarks).
   */
  linesByTimestamp: Map<string, string | string[]> | undefined;
}

const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});

/** Stream predicate used for filtering. */
export type StreamPredicate = (labels: Record<string, string>) => boolean;

/**
 * Stores entries in arrays, indexed by tenant + canonical stream. An entry equal in (tenant, stream,
 * timestamp, line) to a stored one is dropped; the same timestamp with a different line is kept.
 */
export class EntryStore {
  private readonly byKey = new Map<string, StreamRecord>();
  private readonly order: StreamRecord[] = [];
  private readonly all: StoredEntry[] = [];
  private readonly recordOf: StreamRecord[] = [];

  /** Stores the entries of one stream; returns the entries actually stored. */
  add(tenant: string, labels: Record<string, string>, stream: string, entries: readonly NewEntry[]): StoredEntry[] {
    const key = `${tenant}\u0000${stream}`;
    let rec = this.byKey.get(key);
    if (!rec) {
      rec = {
        tenant,
        labels: Object.freeze({ ...labels }),
        stream,
        entries: [],
        maxTimestampNs: -1n,
        linesByTimestamp: undefined,
      };
      this.byKey.set(key, rec);
      this.order.push(rec);
    }
    const stored: StoredEntry[] = [];
    for (const e of entries) {
      const timestamp = e.timestampNs.toString();
      if (e.timestampNs <= rec.maxTimestampNs || rec.linesByTimestamp !== undefined) {
        const index = (rec.linesByTimestamp ??= indexLines(rec.entries));
        if (isDuplicate(index, timestamp, e.line)) continue;
      }
      if (e.timestampNs > rec.maxTimestampNs) rec.maxTimestampNs = e.timestampNs;
      // The processor built this object for the store alone: frozen as it is, not copied.
      let metadata = NO_METADATA;
      for (const _ in e.metadata) {
        metadata = Object.freeze(e.metadata);
        break;
      }
      const entry: StoredEntry = Object.freeze({
        tenant,
        labels: rec.labels,
        stream,
        timestampNs: e.timestampNs,
        timestamp,
        line: e.line,
        metadata: metadata,
      });
      rec.entries.push(entry);
      this.all.push(entry);
      this.recordOf.push(rec);
      stored.push(entry);
    }
    return stored;
  }

  private matcher(predicate: StreamPredicate | undefined, tenant: string | undefined): (rec: StreamRecord) => boolean {
    const cache = new Map<StreamRecord, boolean>();
    return (rec) => {
      let ok = cache.get(rec);
      if (ok === undefined) {
        ok = (tenant === undefined || rec.tenant === tenant) && (predicate === undefined || predicate(rec.labels));
        cache.set(rec, ok);
      }
      return ok;
    };
  }

  /** Entries in storage order. */
  entries(predicate?: StreamPredicate, tenant?: string): StoredEntry[] {
    if (predicate === undefined && tenant === undefined) return [...this.all];
    const match = this.matcher(predicate, tenant);
    const out: StoredEntry[] = [];
    for (let i = 0; i < this.all.length; i++) if (match(this.recordOf[i]!)) out.push(this.all[i]!);
    return out;
  }

  /** Streams in creation order (copies). */
  streams(predicate?: StreamPredicate, tenant?: string): StoredStream[] {
    const match = this.matcher(predicate, tenant);
    return this.order
      .filter((rec) => match(rec))
      .map((rec) => ({ tenant: rec.tenant, labels: rec.labels, stream: rec.stream, entries: [...rec.entries] }));
  }

  /** Number of stored entries in matching streams. */
  count(predicate?: StreamPredicate, tenant?: string): number {
    if (predicate === undefined && tenant === undefined) return this.all.length;
    const match = this.matcher(predicate, tenant);
    let n = 0;
    for (const rec of this.order) if (match(rec)) n += rec.entries.length;
    return n;
  }

  /** Forgets everything. */
  clear(): void {
    this.byKey.clear();
    this.order.length = 0;
    this.all.length = 0;
    this.recordOf.length = 0;
  }
}

// Keyed by the decimal string: V8 hashes BigInt Map keys slowly (several µs per entry).
function indexLines(entries: readonly StoredEntry[]): Map<string, string | string[]> {
  const index = new Map<string, string | string[]>();
  for (const entry of entries) isDuplicate(index, entry.timestamp, entry.line);
  return index;
}

/** True when (timestamp, line) is already in the index; otherwise adds it. */
function isDuplicate(index: Map<string, string | string[]>, timestamp: string, line: string): boolean {
  const lines = index.get(timestamp);
  if (lines === undefined) index.set(timestamp, line);
  else if (typeof lines === 'string') {
    if (lines === line) return true;
    index.set(timestamp, [lines, line]);
  } else {
    if (lines.includes(line)) return true;
    lines.push(line);
  }
  return false;
}
