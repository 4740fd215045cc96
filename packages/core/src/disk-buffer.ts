import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { LokiError } from './errors.js';
import type { DiskSegment, LokiEntry, StreamRef } from './record.js';

/**
 * Opt-in crash safety: entries not yet acknowledged by Loki live in append-only segment files and are
 * replayed, in order, by the next process that opens the directory. Records keep their timestamps,
 * so a replay of something Loki already stored is dropped by Loki's duplicate check.
 *
 * Files: `<owner>.lock` (pid + heartbeat mtime) and `<owner>-<n>.seg` (one JSON record a line), where
 * owner is `seg-<pid>-<startMillis>-<random>`. Each process writes only its own segments; segments of
 * an owner whose lock is gone, whose pid is dead or whose heartbeat is stale are orphans, claimed by
 * an atomic rename (only one process wins), then replayed.
 */
export interface DiskBufferOptions {
  /** Directory of the segment files (created if missing). */
  directory: string;
  /** Most bytes on disk; the oldest segments are deleted beyond it (counted). Default 256 MiB. */
  maxBytes?: number;
  /** Pending records are written and fsync'd at most this late: what a kill -9 may lose. Default 1000. */
  syncIntervalMillis?: number;
  /** A segment is sealed and a new one started past this size. Default 8 MiB. */
  segmentMaxBytes?: number;
}

export interface DiskBufferCounters {
  diskEntriesWritten: number;
  diskEntriesReplayed: number;
  diskEntriesDropped: number;
  diskCorruptRecords: number;
}

const HEARTBEAT_MILLIS = 5_000;
const STALE_MILLIS = 30_000;
const SEGMENT_RE = /^(seg-(\d+)-\d+-[0-9a-f]+)-(\d+)\.seg$/;

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
}

export class DiskBuffer {
  readonly counters: DiskBufferCounters = { diskEntriesWritten: 0, diskEntriesReplayed: 0, diskEntriesDropped: 0, diskCorruptRecords: 0 };
  private readonly directory: string;
  private readonly maxBytes: number;
  private readonly syncIntervalMillis: number;
  private readonly segmentMaxBytes: number;
  private readonly owner: string;
  private readonly lockPath: string;
  private segments: DiskSegment[] = [];
  private active: DiskSegment | undefined;
  private fd: number | undefined;
  private segmentNumber = 0;
  private unwritten: LokiEntry[] = [];
  private syncTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
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

  private constructor(options: DiskBufferOptions, private readonly report: (error: LokiError) => void) {
    this.directory = options.directory;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.syncIntervalMillis = options.syncIntervalMillis ?? 1000;
    this.segmentMaxBytes = options.segmentMaxBytes ?? 8 * 1024 * 1024;
    mkdirSync(this.directory, { recursive: true });
    this.owner = `seg-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 0xffffffff).toString(16)}`;
    this.lockPath = join(this.directory, `${this.owner}.lock`);
    writeFileSync(this.lockPath, String(process.pid));
    this.heartbeat = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(this.lockPath, now, now);
      } catch {
        // A vanished lock only means another process may claim our segments later: harmless duplicates.
      }
    }, HEARTBEAT_MILLIS);
    this.heartbeat.unref();
  }

  /** Claims orphaned segments and returns their entries, oldest first. */
  recover(streams: (key: string, labels: Array<[string, string]>) => StreamRef): ReplayedEntry[] {
    const orphans = this.findOrphans();
    const out: ReplayedEntry[] = [];
    for (const file of orphans) {
      // Renamed into one of our own segments: if we crash in turn, it is an orphan again.
      const claimed = join(this.directory, `${this.owner}-${this.segmentNumber++}.seg`);
      try {
        renameSync(join(this.directory, file), claimed);
      } catch {
        continue; // another process claimed it first
      }
      let text: string;
      try {
        text = readFileSync(claimed, 'utf8');
      } catch {
        continue;
      }
      const segment: DiskSegment = { path: claimed, bytes: Buffer.byteLength(text), unsettled: 0, sealed: true };
      const lines = text.split('\n');
      // The last element is '' after a complete final line, or a torn write: the tail of a crash.
      for (let i = 0; i < lines.length; i++) {
        const raw = lines[i]!;
        if (raw === '') continue;
        try {
          const r = JSON.parse(raw) as StoredRecord;
          if (typeof r.s !== 'string' || !Array.isArray(r.l) || typeof r.t !== 'string' || typeof r.m !== 'string') throw new Error('bad record');
          let bytes = Buffer.byteLength(r.m);
          for (const [k, v] of r.d ?? []) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
          out.push({ stream: streams(r.s, r.l), timestampNs: BigInt(r.t), line: r.m, metadata: r.d, bytes, segment });
          segment.unsettled++;
        } catch {
          this.counters.diskCorruptRecords++;
          this.report(new LokiError('ERR_LOKI_DISK_CORRUPT', `disk buffer: skipped an unreadable record in ${file} (line ${i + 1}${i === lines.length - 1 ? ', torn tail' : ''})`));
        }
      }
      this.counters.diskEntriesReplayed += segment.unsettled;
      if (segment.unsettled === 0) this.remove(segment);
      else this.segments.push(segment);
    }
    this.removeStaleLocks();
    return out;
  }

  private findOrphans(): string[] {
    const files = readdirSync(this.directory);
    const liveOwners = new Set<string>();
    for (const file of files) {
      if (!file.endsWith('.lock')) continue;
      const owner = file.slice(0, -5);
      if (owner === this.owner) continue;
      if (this.ownerAlive(owner, join(this.directory, file))) liveOwners.add(owner);
    }
    const orphans: Array<{ file: string; owner: string; n: number }> = [];
    for (const file of files) {
      const m = SEGMENT_RE.exec(file);
      if (!m || m[1] === this.owner || liveOwners.has(m[1]!)) continue;
      orphans.push({ file, owner: m[1]!, n: Number(m[3]) });
    }
    // Owner names start with pid and start time; order by start time, then segment number.
    const startOf = (owner: string): number => Number(owner.split('-')[2]);
    orphans.sort((a, b) => startOf(a.owner) - startOf(b.owner) || a.n - b.n);
    return orphans.map((o) => o.file);
  }

  private ownerAlive(owner: string, lockPath: string): boolean {
    const pid = Number(owner.split('-')[1]);
    if (pid === process.pid) return false; // our pid, another owner: a previous life (pid 1 in containers)
    try {
      if (Date.now() - statSync(lockPath).mtimeMs > STALE_MILLIS) return false;
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
    }
  }

  private removeStaleLocks(): void {
    for (const file of readdirSync(this.directory)) {
      if (!file.endsWith('.lock') || file === `${this.owner}.lock`) continue;
      const owner = file.slice(0, -5);
      const path = join(this.directory, file);
      if (!this.ownerAlive(owner, path) && !readdirSync(this.directory).some((f) => f.startsWith(`${owner}-`))) {
        try {
          unlinkSync(path);
        } catch {
          // someone else cleaned it
        }
      }
    }
  }

  /** Remembers an entry; it reaches the disk within syncIntervalMillis. */
  append(entry: LokiEntry): void {
    if (this.closed) return;
    this.unwritten.push(entry);
    if (this.syncTimer === undefined) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = undefined;
        this.writePending();
      }, this.syncIntervalMillis);
      this.syncTimer.unref();
    }
  }

  /** The entry is acknowledged or given up: its record is no longer needed. */
  settle(entry: LokiEntry): void {
    entry.settled = true;
    const segment = entry.segment;
    if (segment === undefined) return;
    entry.segment = undefined;
    segment.unsettled--;
    if (segment.sealed && segment.unsettled <= 0) this.remove(segment);
  }

  /** Writes (and fsyncs) records of entries still unsettled. Synchronous: also used at exit. */
  writePending(): void {
    if (this.syncTimer !== undefined) {
      clearTimeout(this.syncTimer);
      this.syncTimer = undefined;
    }
    const entries = this.unwritten;
    this.unwritten = [];
    let text = '';
    let count = 0;
    const segment = this.ensureSegment();
    if (segment === undefined) return;
    for (const entry of entries) {
      if (entry.settled === true) continue; // acknowledged before it was written: nothing to keep
      const record: StoredRecord = { s: entry.stream.key, l: entry.stream.labels as Array<[string, string]>, t: entry.timestampNs.toString(), m: entry.line };
      if (entry.metadata !== undefined) record.d = entry.metadata as Array<[string, string]>;
      text += `${JSON.stringify(record)}\n`;
      entry.segment = segment;
      segment.unsettled++;
      count++;
    }
    if (count === 0 || this.fd === undefined) return;
    try {
      const buf = Buffer.from(text, 'utf8');
      writeSync(this.fd, buf);
      fsyncSync(this.fd);
      segment.bytes += buf.length;
      this.counters.diskEntriesWritten += count;
    } catch (error) {
      this.report(new LokiError('ERR_LOKI_DISK_WRITE', `disk buffer: write failed: ${(error as Error).message}`, { entries: count, cause: error }));
    }
    if (segment.bytes >= this.segmentMaxBytes) this.seal();
    this.enforceMaxBytes();
  }

  private ensureSegment(): DiskSegment | undefined {
    if (this.active !== undefined) return this.active;
    const path = join(this.directory, `${this.owner}-${this.segmentNumber++}.seg`);
    try {
      this.fd = openSync(path, 'a');
    } catch (error) {
      this.report(new LokiError('ERR_LOKI_DISK_WRITE', `disk buffer: cannot open ${path}: ${(error as Error).message}`, { cause: error }));
      return undefined;
    }
    this.active = { path, bytes: 0, unsettled: 0, sealed: false };
    this.segments.push(this.active);
    return this.active;
  }

  private seal(): void {
    const segment = this.active;
    if (segment === undefined) return;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.active = undefined;
    segment.sealed = true;
    if (segment.unsettled <= 0) this.remove(segment);
  }

  private enforceMaxBytes(): void {
    let total = this.segments.reduce((n, s) => n + s.bytes, 0);
    while (total > this.maxBytes && this.segments.length > 1) {
      const oldest = this.segments[0]!;
      if (!oldest.sealed) break;
      total -= oldest.bytes;
      this.counters.diskEntriesDropped += Math.max(0, oldest.unsettled);
      this.report(new LokiError('ERR_LOKI_DISK_FULL', `disk buffer over ${this.maxBytes} bytes: deleted its oldest segment (${oldest.unsettled} entries lose crash safety)`, { entries: oldest.unsettled }));
      oldest.unsettled = 0;
      this.remove(oldest);
    }
  }

  private remove(segment: DiskSegment): void {
    this.segments = this.segments.filter((s) => s !== segment);
    try {
      if (existsSync(segment.path)) unlinkSync(segment.path);
    } catch {
      // already gone
    }
  }

  /** Writes what is pending and stops. Segments with unsettled entries stay for the next process. */
  close(): void {
    if (this.closed) return;
    this.writePending();
    this.closed = true;
    clearInterval(this.heartbeat);
    this.seal();
    // Without our lock, leftover segments (entries never acknowledged) are orphans the next process replays.
    try {
      unlinkSync(this.lockPath);
    } catch {
      // fine
    }
  }
}
