/**
 * The disk buffer's segment files: opening a new segment of ours, reading a claimed orphan back, and
 * deleting a file that may already be gone.
 */
import { openSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readSegment, type ReplayedEntry } from './disk-records.js';
import { LokiError } from './errors.js';
import type { DiskSegment, StreamRef } from './record.js';

/** Opens `<owner>-<n>.seg` for appending; undefined (reported) when it cannot be opened. */
export function openSegmentFile(
  directory: string,
  owner: string,
  n: number,
  report: (error: LokiError) => void,
): { fd: number; segment: DiskSegment } | undefined {
  const path = join(directory, `${owner}-${n}.seg`);
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (error) {
    report(
      new LokiError('ERR_LOKI_DISK_WRITE', `disk buffer: cannot open ${path}: ${(error as Error).message}`, {
        cause: error,
      }),
    );
    return undefined;
  }
  const segment: DiskSegment = {
    path,
    ackPath: join(directory, `${owner}-${n}.ack`),
    dataBytes: 0,
    records: 0,
    unsettled: 0,
    state: 'active',
  };
  return { fd, segment };
}

/**
 * A claimed orphan's records, its unsettled entries pushed onto `out`; undefined when the segment cannot
 * be read (a missing ack file reads as all records unsettled).
 */
export function readClaimedSegment(
  paths: { claimed: string; claimedAck: string },
  streams: (key: string, labels: Array<[string, string]>) => StreamRef,
  out: ReplayedEntry[],
  corrupt: (line: number, torn: boolean) => void,
): DiskSegment | undefined {
  const { claimed, claimedAck } = paths;
  let text: string;
  let acks: Buffer;
  try {
    text = readFileSync(claimed, 'utf8');
  } catch {
    return undefined;
  }
  try {
    acks = readFileSync(claimedAck);
  } catch {
    acks = Buffer.alloc(0);
  }
  return readSegment(claimed, claimedAck, text, acks, streams, out, corrupt);
}

export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
