import { closeSync, fsyncSync, mkdirSync, writeFileSync, writeSync } from 'node:fs';
import { AckFiles } from './disk-acks.js';
import { segmentBound, segmentsToDelete } from './disk-bounds.js';
import { DISK_BUFFER_DEFAULTS, type DiskBufferCounters, type DiskBufferOptions } from './disk-buffer-options.js';
import { DirectoryOwner } from './disk-claim.js';
import { recordLine, SENT, SETTLED, WRITTEN, type ReplayedEntry } from './disk-records.js';
import { openSegmentFile, readClaimedSegment, unlinkQuietly } from './disk-segment-files.js';
import { LokiError } from './errors.js';
import type { DiskSegment, LokiEntry, StreamRef } from './record.js';

/**
 * Opt-in crash safety: entries not yet acknowledged by Loki live in append-only segment files and are
 * replayed, in order, by the next process that opens the directory.
 *
 * Files: `<owner>.lock` (pid, hostname and process start; its mtime is a heartbeat), `<owner>-<n>.seg`
 * (one JSON record a line) and `<owner>-<n>.ack` (one byte a record: 0 written, 1 sent without an
 * answer yet, 2 settled: acknowledged or given up), where owner is `seg-<pid>-<startMillis>-<random>`.
 * Each process writes only its own files. Segments whose owner is gone are orphans, claimed by an
 * atomic rename (only one process wins), then replayed without their settled records.
 */
export { DISK_BUFFER_DEFAULTS, type DiskBufferOptions, type DiskBufferCounters } from './disk-buffer-options.js';
export type { ReplayedEntry } from './disk-records.js';

export class DiskBuffer {
  readonly counters: DiskBufferCounters = {
    diskEntriesWritten: 0,
    diskEntriesReplayed: 0,
    diskEntriesDropped: 0,
    diskCorruptRecords: 0,
  };
  private readonly directory: string;
  private readonly maxBytes: number;
  private readonly syncIntervalMillis: number;
  /** segmentMaxBytes, but never more than what maxBytes leaves beside the lock file. */
  private readonly segmentMaxBytes: number;
  private readonly heartbeatTimeoutMillis: number;
  private readonly owner: string;
  private readonly lockPath: string;
  private readonly self: DirectoryOwner;
  private readonly lockBytes: number;
  private segments: DiskSegment[] = [];
  private active: DiskSegment | undefined;
  private fd: number | undefined;
  private readonly acks: AckFiles;
  private segmentNumber = 0;
  private unwritten: LokiEntry[] = [];
  private syncTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * The disk buffer, or undefined when its directory cannot be used (a path under a plain file, no
   * permission, a read-only disk): reported once, and the client goes on memory-only. Every entry
   * point gets the same rule (core, the pino worker, winston's worker and its in-thread fallback):
   * a disk buffer is a safety net, and a net that cannot be hung must not stop the app or its logs.
   */
  static open(options: DiskBufferOptions, report: (error: LokiError) => void): DiskBuffer | undefined {
    try {
      return new DiskBuffer(options, report);
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      report(
        new LokiError(
          'ERR_LOKI_DISK_WRITE',
          `disk buffer: cannot use ${options.directory} (${err?.code ?? err?.message ?? String(error)}): running memory only, without crash safety`,
          { cause: error },
        ),
      );
      return undefined;
    }
  }

  private constructor(
    options: DiskBufferOptions,
    private readonly report: (error: LokiError) => void,
  ) {
    this.directory = options.directory;
    this.acks = new AckFiles(report, () => this.scheduleSync());
    this.maxBytes = options.maxBytes ?? DISK_BUFFER_DEFAULTS.maxBytes;
    this.syncIntervalMillis = options.syncIntervalMillis ?? DISK_BUFFER_DEFAULTS.syncIntervalMillis;
    this.heartbeatTimeoutMillis = options.heartbeatTimeoutMillis ?? DISK_BUFFER_DEFAULTS.heartbeatTimeoutMillis;
    mkdirSync(this.directory, { recursive: true });
    this.self = new DirectoryOwner(this.directory, this.heartbeatTimeoutMillis);
    this.owner = this.self.owner;
    this.lockPath = this.self.lockPath;
    const lockText = this.self.lockText();
    this.lockBytes = Buffer.byteLength(lockText);
    this.segmentMaxBytes = segmentBound(
      options.segmentMaxBytes ?? DISK_BUFFER_DEFAULTS.segmentMaxBytes,
      this.maxBytes,
      this.lockBytes,
    );
    writeFileSync(this.lockPath, lockText);
    this.self.startHeartbeat();
  }

  /** Claims orphaned segments and returns their unsettled entries, oldest first. */
  recover(streams: (key: string, labels: Array<[string, string]>) => StreamRef): ReplayedEntry[] {
    const orphans = this.self.findOrphans();
    const out: ReplayedEntry[] = [];
    for (const file of orphans) {
      // Renamed into one of our own segments: if we crash in turn, it is an orphan again.
      const paths = this.self.claim(file, this.segmentNumber++);
      if (paths === undefined) continue; // another process claimed it first
      const segment = readClaimedSegment(paths, streams, out, (line, torn) => {
        this.counters.diskCorruptRecords++;
        this.report(
          new LokiError(
            'ERR_LOKI_DISK_CORRUPT',
            `disk buffer: skipped an unreadable record in ${file} (line ${line}${torn ? ', torn tail' : ''})`,
          ),
        );
      });
      if (segment === undefined) continue;
      this.counters.diskEntriesReplayed += segment.unsettled;
      this.segments.push(segment);
      if (segment.unsettled === 0) this.remove(segment);
    }
    this.self.removeStaleFiles();
    // Claimed segments count against maxBytes too.
    this.makeRoom(0, undefined);
    return out;
  }

  /** Remembers an entry; it reaches the disk within syncIntervalMillis. */
  append(entry: LokiEntry): void {
    if (this.closed) return;
    this.unwritten.push(entry);
    this.scheduleSync();
  }

  private scheduleSync(): void {
    if (this.syncTimer !== undefined || this.closed) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.writePending();
    }, this.syncIntervalMillis);
    this.syncTimer.unref();
  }

  /**
   * The entries are acknowledged or given up: their records are no longer needed. Written to the ack
   * file at once (a kill -9 keeps what the kernel was given), fsync'd on the data's schedule.
   */
  settle(entries: readonly LokiEntry[]): void {
    this.acks.write(entries, SETTLED, this.active);
    for (const entry of entries) {
      entry.settled = true;
      const segment = entry.segment;
      if (segment === undefined) continue;
      entry.segment = undefined;
      segment.unsettled--;
      if (segment.state === 'sealed' && segment.unsettled <= 0) this.remove(segment);
    }
  }

  /**
   * A request holding the entries goes out (`sent` true), or certainly did not reach Loki (false): a
   * replay after a crash counts the sent ones as re-sent (`entriesResent`).
   */
  markSent(entries: readonly LokiEntry[], sent: boolean): void {
    this.acks.write(entries, sent ? SENT : WRITTEN, this.active);
  }

  /** Writes (and fsyncs) records of entries still unsettled, and fsyncs ack files. Synchronous: also used at exit. */
  writePending(): void {
    if (this.syncTimer !== undefined) {
      clearTimeout(this.syncTimer);
      this.syncTimer = undefined;
    }
    const entries = this.unwritten;
    this.unwritten = [];
    let text = '';
    let chunk: LokiEntry[] = [];
    let chunkBytes = 0;
    let tooLarge = 0;
    for (const entry of entries) {
      if (entry.settled === true) continue; // acknowledged before it was written: nothing to keep
      const line = recordLine(entry);
      const cost = Buffer.byteLength(line) + 1; // + its byte in the ack file
      if (cost > this.segmentMaxBytes) {
        tooLarge++; // kept in memory only: sent as usual, but not crash-safe
        continue;
      }
      const active = this.active;
      if ((active === undefined ? 0 : active.dataBytes + active.records) + chunkBytes + cost > this.segmentMaxBytes) {
        this.writeChunk(text, chunk, chunkBytes);
        text = '';
        chunk = [];
        chunkBytes = 0;
        this.seal();
      }
      text += line;
      chunk.push(entry);
      chunkBytes += cost;
    }
    this.writeChunk(text, chunk, chunkBytes);
    if (tooLarge > 0) {
      this.counters.diskEntriesDropped += tooLarge;
      this.report(
        new LokiError(
          'ERR_LOKI_DISK_FULL',
          `disk buffer: ${tooLarge} records larger than segmentMaxBytes (${this.segmentMaxBytes}) kept in memory only (not crash-safe)`,
          { entries: tooLarge },
        ),
      );
    }
    this.acks.sync();
  }

  /** Appends records to the active segment, after making room for them within maxBytes. */
  private writeChunk(text: string, chunk: LokiEntry[], chunkBytes: number): void {
    if (chunk.length === 0) return;
    const segment = this.ensureSegment();
    if (segment === undefined || this.fd === undefined) return;
    this.makeRoom(chunkBytes, segment);
    try {
      const buf = Buffer.from(text, 'utf8');
      writeSync(this.fd, buf);
      fsyncSync(this.fd);
      segment.dataBytes += buf.length;
    } catch (error) {
      this.report(
        new LokiError('ERR_LOKI_DISK_WRITE', `disk buffer: write failed: ${(error as Error).message}`, {
          entries: chunk.length,
          cause: error,
        }),
      );
      // A partial write may have left a torn line: nothing more goes after it, record numbers stay true.
      this.seal();
      return;
    }
    for (const entry of chunk) {
      entry.segment = segment;
      entry.diskIndex = segment.records++;
    }
    segment.unsettled += chunk.length;
    this.counters.diskEntriesWritten += chunk.length;
  }

  /** Deletes the oldest segments (other than `keep`) until `more` bytes fit within maxBytes (disk-bounds.ts). */
  private makeRoom(more: number, keep: DiskSegment | undefined): void {
    for (const oldest of segmentsToDelete(this.segments, this.lockBytes, more, this.maxBytes, keep)) {
      const lost = Math.max(0, oldest.unsettled);
      this.counters.diskEntriesDropped += lost;
      this.report(
        new LokiError(
          'ERR_LOKI_DISK_FULL',
          `disk buffer over ${this.maxBytes} bytes: deleted its oldest segment (${lost} entries lose crash safety)`,
          { entries: lost },
        ),
      );
      oldest.unsettled = 0;
      if (oldest === this.active) this.seal();
      this.remove(oldest);
    }
  }

  private ensureSegment(): DiskSegment | undefined {
    if (this.active !== undefined) return this.active;
    const opened = openSegmentFile(this.directory, this.owner, this.segmentNumber++, this.report);
    if (opened === undefined) return undefined;
    this.fd = opened.fd;
    this.active = opened.segment;
    this.segments.push(this.active);
    return this.active;
  }

  private seal(): void {
    const segment = this.active;
    if (segment === undefined) return;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.acks.sealed(segment);
    this.active = undefined;
    segment.state = 'sealed';
    if (segment.unsettled <= 0) this.remove(segment);
  }

  private remove(segment: DiskSegment): void {
    if (segment.state === 'removed') return;
    segment.state = 'removed';
    this.segments = this.segments.filter((s) => s !== segment);
    this.acks.removed(segment);
    // The records first: an ack file without its segment is only litter, cleaned by the next process.
    unlinkQuietly(segment.path);
    unlinkQuietly(segment.ackPath);
  }

  /** Writes what is pending and stops. Segments with unsettled entries stay for the next process. */
  close(): void {
    if (this.closed) return;
    this.writePending();
    this.closed = true;
    this.self.stopHeartbeat();
    this.seal();
    this.acks.sync();
    // Without our lock, leftover segments (entries never acknowledged) are orphans the next process replays.
    unlinkQuietly(this.lockPath);
  }
}
