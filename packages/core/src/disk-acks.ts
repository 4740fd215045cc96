import { closeSync, constants, fsyncSync, openSync, writeSync } from 'node:fs';
import { LokiError } from './errors.js';
import type { DiskSegment, LokiEntry } from './record.js';

/**
 * The ack files: one byte a record (disk-records.ts: written, sent, settled). Written at once (a
 * kill -9 keeps what the kernel was given), fsync'd on the data's schedule (`sync()`).
 */
export class AckFiles {
  /** The active segment's ack file stays open; a sealed segment's is opened per write. */
  private activeFd: number | undefined;
  private activeDirty = false;
  /** Ack files of sealed segments written since the last sync. */
  private readonly dirty = new Set<DiskSegment>();

  constructor(
    private readonly report: (error: LokiError) => void,
    /** A sync is due within syncIntervalMillis. */
    private readonly written: () => void,
  ) {}

  /** One write per run of consecutive records of one segment (a batch is usually one run). */
  write(entries: readonly LokiEntry[], value: number, active: DiskSegment | undefined): void {
    let segment: DiskSegment | undefined;
    let first = 0;
    let count = 0;
    for (const entry of entries) {
      const s = entry.segment;
      if (s === undefined || entry.settled === true) continue;
      const index = entry.diskIndex!;
      if (s === segment && index === first + count) {
        count++;
        continue;
      }
      if (segment !== undefined) this.writeRun(segment, first, count, value, active);
      segment = s;
      first = index;
      count = 1;
    }
    if (segment !== undefined) this.writeRun(segment, first, count, value, active);
  }

  private writeRun(
    segment: DiskSegment,
    first: number,
    count: number,
    value: number,
    active: DiskSegment | undefined,
  ): void {
    if (segment.state === 'removed') return;
    const bytes = Buffer.alloc(count, value);
    try {
      if (segment === active) {
        this.activeFd ??= openSync(segment.ackPath, constants.O_RDWR | constants.O_CREAT);
        writeSync(this.activeFd, bytes, 0, count, first);
        this.activeDirty = true;
      } else {
        const fd = openSync(segment.ackPath, constants.O_RDWR | constants.O_CREAT);
        try {
          writeSync(fd, bytes, 0, count, first);
        } finally {
          closeSync(fd);
        }
        this.dirty.add(segment);
      }
      this.written();
    } catch (error) {
      // The record stays unsettled on disk: a replay would re-send it (a duplicate, never a loss).
      this.report(
        new LokiError('ERR_LOKI_DISK_WRITE', `disk buffer: ack write failed: ${(error as Error).message}`, {
          entries: count,
          cause: error,
        }),
      );
    }
  }

  /** The active segment was sealed: its ack file is closed, and fsync'd with the others at the next sync. */
  sealed(segment: DiskSegment): void {
    if (this.activeFd === undefined) return;
    closeSync(this.activeFd);
    this.activeFd = undefined;
    if (this.activeDirty) this.dirty.add(segment);
    this.activeDirty = false;
  }

  removed(segment: DiskSegment): void {
    this.dirty.delete(segment);
  }

  sync(): void {
    if (this.activeDirty && this.activeFd !== undefined) {
      try {
        fsyncSync(this.activeFd);
      } catch {
        // reported by the next failing write, if the disk is really gone
      }
      this.activeDirty = false;
    }
    for (const segment of this.dirty) {
      if (segment.state === 'removed') continue;
      try {
        // fsync flushes the file whichever descriptor wrote it.
        const fd = openSync(segment.ackPath, 'r');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      } catch {
        // as above
      }
    }
    this.dirty.clear();
  }
}
