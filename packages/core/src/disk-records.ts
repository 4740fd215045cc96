import type { DiskSegment, LokiEntry, StreamRef } from './record.js';

/**
 * The disk buffer's file formats: a `.seg` file holds one JSON record a line, its `.ack` file one
 * byte a record.
 */

/** Ack file bytes. */
export const WRITTEN = 0;
export const SENT = 1;
export const SETTLED = 2;

interface StoredRecord {
  s: string;
  l: Array<[string, string]>;
  t: string;
  m: string;
  d?: Array<[string, string]>;
}

export interface ReplayedEntry {
  stream: StreamRef;
  timestampNs: bigint;
  line: string;
  metadata: Array<[string, string]> | undefined;
  bytes: number;
  segment: DiskSegment;
  diskIndex: number;
  sentBefore: boolean;
}

/** An entry's record, as its `.seg` line (with the newline). */
export function recordLine(entry: LokiEntry): string {
  const record: StoredRecord = {
    s: entry.stream.key,
    l: entry.stream.labels as Array<[string, string]>,
    t: entry.timestampNs.toString(),
    m: entry.line,
  };
  if (entry.metadata !== undefined) record.d = entry.metadata as Array<[string, string]>;
  return `${JSON.stringify(record)}\n`;
}

/**
 * A claimed segment read back: its unsettled records go to `out` (in order), each unreadable one to
 * `corrupt` (its line number, and whether it is the torn tail of a crash). Returns the segment (sealed).
 */
export function readSegment(
  path: string,
  ackPath: string,
  text: string,
  acks: Buffer,
  streams: (key: string, labels: Array<[string, string]>) => StreamRef,
  out: ReplayedEntry[],
  corrupt: (line: number, torn: boolean) => void,
): DiskSegment {
  const lines = text.split('\n');
  // The last element is '' after a complete final line, or a torn write: the tail of a crash.
  const records = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  const segment: DiskSegment = {
    path,
    ackPath,
    dataBytes: Buffer.byteLength(text),
    records,
    unsettled: 0,
    state: 'sealed',
  };
  for (let i = 0; i < records; i++) {
    const raw = lines[i]!;
    const ack = i < acks.length ? acks[i]! : WRITTEN;
    if (ack === SETTLED) continue; // acknowledged (or given up) before the crash
    if (raw === '') continue;
    try {
      const r = JSON.parse(raw) as StoredRecord;
      if (typeof r.s !== 'string' || !Array.isArray(r.l) || typeof r.t !== 'string' || typeof r.m !== 'string')
        throw new Error('bad record');
      let bytes = Buffer.byteLength(r.m);
      for (const [k, v] of r.d ?? []) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
      out.push({
        stream: streams(r.s, r.l),
        timestampNs: BigInt(r.t),
        line: r.m,
        metadata: r.d,
        bytes,
        segment,
        diskIndex: i,
        sentBefore: ack === SENT,
      });
      segment.unsettled++;
    } catch {
      corrupt(i + 1, i === lines.length - 1);
    }
  }
  return segment;
}
