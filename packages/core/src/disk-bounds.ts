import type { DiskSegment } from './record.js';

/**
 * The disk buffer's bounds: what this process holds in the directory, and which segments go to stay within maxBytes.
 */

/** A segment's bytes on disk: its records and its ack file (one byte a record, reserved). */
function segmentBytes(segment: DiskSegment): number {
  return segment.dataBytes + segment.records;
}

/** segmentMaxBytes, but never more than what maxBytes leaves beside the lock file (and at least 1). */
export function segmentBound(segmentMaxBytes: number, maxBytes: number, lockBytes: number): number {
  return Math.max(1, Math.min(segmentMaxBytes, maxBytes - lockBytes));
}

/**
 * The oldest segments (other than `keep`, the one about to be written) to delete so that `more`
 * bytes fit within `maxBytes` beside the lock and the other segments; oldest first.
 */
export function segmentsToDelete(
  segments: readonly DiskSegment[],
  lockBytes: number,
  more: number,
  maxBytes: number,
  keep: DiskSegment | undefined,
): DiskSegment[] {
  let total = lockBytes;
  for (const s of segments) total += segmentBytes(s);
  const out: DiskSegment[] = [];
  for (const s of segments) {
    if (total + more <= maxBytes) break;
    if (s === keep) continue;
    total -= segmentBytes(s);
    out.push(s);
  }
  // None left but `keep`: cannot happen, a segment alone fits (segmentBound).
  return out;
}
