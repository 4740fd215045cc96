import {
  closeSync,
  constants,
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
import { hostname } from 'node:os';
import { join } from 'node:path';
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
export interface DiskBufferOptions {
  /** Directory of the segment files (created if missing). */
  directory: string;
  /** Most bytes this process keeps in the directory (segments, ack files, lock); the oldest segments are deleted to stay within it (counted). Default 256 MiB. */
  maxBytes?: number;
  /** Pending records are written and fsync'd at most this late: what a kill -9 may lose. Default 1000. */
  syncIntervalMillis?: number;
  /** Most bytes of one segment, its ack file included; a new one is started before a write would pass it. Default 8 MiB. */
  segmentMaxBytes?: number;
  /** Only for an owner on another host (liveness cannot be checked): a lock whose heartbeat is older than this is a dead owner's. Default 30000. */
  heartbeatTimeoutMillis?: number;
}

/** Defaults of the optional disk buffer settings (the README's table is checked against these). */
export const DISK_BUFFER_DEFAULTS = {
  maxBytes: 256 * 1024 * 1024,
  syncIntervalMillis: 1000,
  segmentMaxBytes: 8 * 1024 * 1024,
  heartbeatTimeoutMillis: 30_000,
} as const satisfies Required<Omit<DiskBufferOptions, 'directory'>>;

export interface DiskBufferCounters {
  diskEntriesWritten: number;
  diskEntriesReplayed: number;
  diskEntriesDropped: number;
  diskCorruptRecords: number;
}

const HEARTBEAT_MILLIS = 5_000;
const SEGMENT_RE = /^(seg-(\d+)-\d+-[0-9a-f]+)-(\d+)\.seg$/;
const ACK_RE = /^(seg-\d+-\d+-[0-9a-f]+)-\d+\.ack$/;
/** Ack file bytes. */
const WRITTEN = 0;
const SENT = 1;
const SETTLED = 2;

interface StoredRecord {
  s: string;
  l: Array<[string, string]>;
  t: string;
  m: string;
  d?: Array<[string, string]>;
}

interface LockInfo {
  pid: number;
  host?: string;
  /** Process start as the kernel tells it (Linux: /proc/<pid>/stat field 22), to tell a reused pid. */
  start?: string;
  /** Process start, epoch ms (from the clock and process.uptime()): tells our own pid's previous life without /proc. */
  startMillis?: number;
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

/** The start time of a process in clock ticks since boot, from /proc (Linux); undefined elsewhere. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export class DiskBuffer {
  readonly counters: DiskBufferCounters = { diskEntriesWritten: 0, diskEntriesReplayed: 0, diskEntriesDropped: 0, diskCorruptRecords: 0 };
  private readonly directory: string;
  private readonly maxBytes: number;
  private readonly syncIntervalMillis: number;
  /** segmentMaxBytes, but never more than what maxBytes leaves beside the lock file. */
  private readonly segmentMaxBytes: number;
  private readonly heartbeatTimeoutMillis: number;
  private readonly owner: string;
  private readonly lockPath: string;
  private readonly lockBytes: number;
  private readonly host = hostname();
  private readonly start = processStart(process.pid);
  private readonly startMillis = Math.round(Date.now() - process.uptime() * 1000);
  private segments: DiskSegment[] = [];
  private active: DiskSegment | undefined;
  private fd: number | undefined;
  private ackFd: number | undefined;
  private activeAckDirty = false;
  /** Ack files of sealed segments written since the last sync. */
  private readonly dirtyAcks = new Set<DiskSegment>();
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
    this.maxBytes = options.maxBytes ?? DISK_BUFFER_DEFAULTS.maxBytes;
    this.syncIntervalMillis = options.syncIntervalMillis ?? DISK_BUFFER_DEFAULTS.syncIntervalMillis;
    this.heartbeatTimeoutMillis = options.heartbeatTimeoutMillis ?? DISK_BUFFER_DEFAULTS.heartbeatTimeoutMillis;
    mkdirSync(this.directory, { recursive: true });
    this.owner = `seg-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 0xffffffff).toString(16)}`;
    this.lockPath = join(this.directory, `${this.owner}.lock`);
    const lock: LockInfo = { pid: process.pid, host: this.host, ...(this.start !== undefined ? { start: this.start } : {}), startMillis: this.startMillis };
    const lockText = JSON.stringify(lock);
    this.lockBytes = Buffer.byteLength(lockText);
    this.segmentMaxBytes = Math.max(1, Math.min(options.segmentMaxBytes ?? DISK_BUFFER_DEFAULTS.segmentMaxBytes, this.maxBytes - this.lockBytes));
    writeFileSync(this.lockPath, lockText);
    this.heartbeat = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(this.lockPath, now, now);
      } catch {
        // A vanished lock only means another process may claim our segments later: harmless duplicates.
      }
    }, Math.min(HEARTBEAT_MILLIS, Math.max(10, Math.floor(this.heartbeatTimeoutMillis / 3))));
    this.heartbeat.unref();
  }

  /** Claims orphaned segments and returns their unsettled entries, oldest first. */
  recover(streams: (key: string, labels: Array<[string, string]>) => StreamRef): ReplayedEntry[] {
    const orphans = this.findOrphans();
    const out: ReplayedEntry[] = [];
    for (const file of orphans) {
      // Renamed into one of our own segments: if we crash in turn, it is an orphan again.
      const n = this.segmentNumber++;
      const claimed = join(this.directory, `${this.owner}-${n}.seg`);
      const claimedAck = join(this.directory, `${this.owner}-${n}.ack`);
      try {
        renameSync(join(this.directory, file), claimed);
      } catch {
        continue; // another process claimed it first
      }
      // The .seg rename decided the winner; its acks follow it. (A crash between the two renames
      // loses the acks: the next replay re-sends that segment in full.)
      try {
        renameSync(join(this.directory, `${file.slice(0, -4)}.ack`), claimedAck);
      } catch {
        // no ack file: nothing of it was settled yet
      }
      let text: string;
      let acks: Buffer;
      try {
        text = readFileSync(claimed, 'utf8');
      } catch {
        continue;
      }
      try {
        acks = readFileSync(claimedAck);
      } catch {
        acks = Buffer.alloc(0);
      }
      const lines = text.split('\n');
      // The last element is '' after a complete final line, or a torn write: the tail of a crash.
      const records = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
      const segment: DiskSegment = { path: claimed, ackPath: claimedAck, dataBytes: Buffer.byteLength(text), records, unsettled: 0, state: 'sealed' };
      for (let i = 0; i < records; i++) {
        const raw = lines[i]!;
        const ack = i < acks.length ? acks[i]! : WRITTEN;
        if (ack === SETTLED) continue; // acknowledged (or given up) before the crash
        if (raw === '') continue;
        try {
          const r = JSON.parse(raw) as StoredRecord;
          if (typeof r.s !== 'string' || !Array.isArray(r.l) || typeof r.t !== 'string' || typeof r.m !== 'string') throw new Error('bad record');
          let bytes = Buffer.byteLength(r.m);
          for (const [k, v] of r.d ?? []) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
          out.push({ stream: streams(r.s, r.l), timestampNs: BigInt(r.t), line: r.m, metadata: r.d, bytes, segment, diskIndex: i, sentBefore: ack === SENT });
          segment.unsettled++;
        } catch {
          this.counters.diskCorruptRecords++;
          this.report(new LokiError('ERR_LOKI_DISK_CORRUPT', `disk buffer: skipped an unreadable record in ${file} (line ${i + 1}${i === lines.length - 1 ? ', torn tail' : ''})`));
        }
      }
      this.counters.diskEntriesReplayed += segment.unsettled;
      this.segments.push(segment);
      if (segment.unsettled === 0) this.remove(segment);
    }
    this.removeStaleFiles();
    // Claimed segments count against maxBytes too.
    this.makeRoom(0, undefined);
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

  /**
   * On this host the process itself answers: alive (signal 0 delivered, or EPERM: another user's) and
   * started when the lock says, whatever its heartbeat (a stopped or paused process keeps its
   * segments). Only for an owner on another host does the heartbeat decide.
   */
  private ownerAlive(owner: string, lockPath: string): boolean {
    let lock: LockInfo;
    let mtimeMs: number;
    try {
      mtimeMs = statSync(lockPath).mtimeMs;
      const text = readFileSync(lockPath, 'utf8');
      // An earlier version wrote the bare pid: an owner on this host, start unknown.
      lock = text.startsWith('{') ? (JSON.parse(text) as LockInfo) : { pid: Number(text), host: this.host };
    } catch {
      return false; // no lock (or unreadable): its owner is gone
    }
    const pid = Number.isInteger(lock.pid) ? lock.pid : Number(owner.split('-')[1]);
    if (lock.host !== undefined && lock.host !== this.host) return Date.now() - mtimeMs <= this.heartbeatTimeoutMillis;
    if (pid === process.pid) {
      // Another client of this process, or a previous life under the same pid (pid 1 in containers).
      if (lock.start !== undefined && this.start !== undefined) return lock.start === this.start;
      return lock.startMillis !== undefined && Math.abs(lock.startMillis - this.startMillis) < 1000;
    }
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
    }
    // Alive; a different start time means the pid was reused by another process.
    if (lock.start === undefined) return true;
    const start = processStart(pid);
    return start === undefined || start === lock.start;
  }

  /** Locks of dead owners without segments, and ack files whose segment is gone. */
  private removeStaleFiles(): void {
    const files = readdirSync(this.directory);
    const deadOwners = new Set<string>();
    for (const file of files) {
      if (!file.endsWith('.lock') || file === `${this.owner}.lock`) continue;
      const owner = file.slice(0, -5);
      if (!this.ownerAlive(owner, join(this.directory, file))) deadOwners.add(owner);
    }
    for (const file of files) {
      const ack = ACK_RE.exec(file);
      if (ack === null || !deadOwners.has(ack[1]!) || files.includes(`${file.slice(0, -4)}.seg`)) continue;
      // Not one a claimer is renaming right now (its .seg already renamed, its .ack next).
      const path = join(this.directory, file);
      try {
        if (Date.now() - statSync(path).mtimeMs > 60_000) this.unlink(path);
      } catch {
        // gone meanwhile
      }
    }
    for (const owner of deadOwners) {
      if (!readdirSync(this.directory).some((f) => f.startsWith(`${owner}-`))) this.unlink(join(this.directory, `${owner}.lock`));
    }
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
    this.writeAcks(entries, SETTLED);
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
    this.writeAcks(entries, sent ? SENT : WRITTEN);
  }

  /** One write per run of consecutive records of one segment (a batch is usually one run). */
  private writeAcks(entries: readonly LokiEntry[], value: number): void {
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
      if (segment !== undefined) this.writeAck(segment, first, count, value);
      segment = s;
      first = index;
      count = 1;
    }
    if (segment !== undefined) this.writeAck(segment, first, count, value);
  }

  private writeAck(segment: DiskSegment, first: number, count: number, value: number): void {
    if (segment.state === 'removed') return;
    const bytes = Buffer.alloc(count, value);
    try {
      if (segment === this.active) {
        this.ackFd ??= openSync(segment.ackPath, constants.O_RDWR | constants.O_CREAT);
        writeSync(this.ackFd, bytes, 0, count, first);
        this.activeAckDirty = true;
      } else {
        const fd = openSync(segment.ackPath, constants.O_RDWR | constants.O_CREAT);
        try {
          writeSync(fd, bytes, 0, count, first);
        } finally {
          closeSync(fd);
        }
        this.dirtyAcks.add(segment);
      }
      this.scheduleSync();
    } catch (error) {
      // The record stays unsettled on disk: a replay would re-send it (a duplicate, never a loss).
      this.report(new LokiError('ERR_LOKI_DISK_WRITE', `disk buffer: ack write failed: ${(error as Error).message}`, { entries: count, cause: error }));
    }
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
      const record: StoredRecord = { s: entry.stream.key, l: entry.stream.labels as Array<[string, string]>, t: entry.timestampNs.toString(), m: entry.line };
      if (entry.metadata !== undefined) record.d = entry.metadata as Array<[string, string]>;
      const line = `${JSON.stringify(record)}\n`;
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
      this.report(new LokiError('ERR_LOKI_DISK_FULL', `disk buffer: ${tooLarge} records larger than segmentMaxBytes (${this.segmentMaxBytes}) kept in memory only (not crash-safe)`, { entries: tooLarge }));
    }
    this.syncAcks();
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
      this.report(new LokiError('ERR_LOKI_DISK_WRITE', `disk buffer: write failed: ${(error as Error).message}`, { entries: chunk.length, cause: error }));
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

  private syncAcks(): void {
    if (this.activeAckDirty && this.ackFd !== undefined) {
      try {
        fsyncSync(this.ackFd);
      } catch {
        // reported by the next failing write, if the disk is really gone
      }
      this.activeAckDirty = false;
    }
    for (const segment of this.dirtyAcks) {
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
    this.dirtyAcks.clear();
  }

  /** Bytes this process holds in the directory: lock, segments and (reserved) ack files. */
  private ownBytes(): number {
    let total = this.lockBytes;
    for (const s of this.segments) total += s.dataBytes + s.records;
    return total;
  }

  /** Deletes the oldest segments (other than `keep`) until `more` bytes fit within maxBytes. */
  private makeRoom(more: number, keep: DiskSegment | undefined): void {
    let total = this.ownBytes();
    while (total + more > this.maxBytes) {
      const oldest = this.segments.find((s) => s !== keep);
      if (oldest === undefined) break; // cannot happen: a segment alone fits (segmentMaxBytes <= maxBytes - lock)
      total -= oldest.dataBytes + oldest.records;
      const lost = Math.max(0, oldest.unsettled);
      this.counters.diskEntriesDropped += lost;
      this.report(new LokiError('ERR_LOKI_DISK_FULL', `disk buffer over ${this.maxBytes} bytes: deleted its oldest segment (${lost} entries lose crash safety)`, { entries: lost }));
      oldest.unsettled = 0;
      if (oldest === this.active) this.seal();
      this.remove(oldest);
    }
  }

  private ensureSegment(): DiskSegment | undefined {
    if (this.active !== undefined) return this.active;
    const n = this.segmentNumber++;
    const path = join(this.directory, `${this.owner}-${n}.seg`);
    try {
      this.fd = openSync(path, 'a');
    } catch (error) {
      this.report(new LokiError('ERR_LOKI_DISK_WRITE', `disk buffer: cannot open ${path}: ${(error as Error).message}`, { cause: error }));
      return undefined;
    }
    this.active = { path, ackPath: join(this.directory, `${this.owner}-${n}.ack`), dataBytes: 0, records: 0, unsettled: 0, state: 'active' };
    this.segments.push(this.active);
    return this.active;
  }

  private seal(): void {
    const segment = this.active;
    if (segment === undefined) return;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.ackFd !== undefined) {
      closeSync(this.ackFd);
      this.ackFd = undefined;
      if (this.activeAckDirty) this.dirtyAcks.add(segment);
      this.activeAckDirty = false;
    }
    this.active = undefined;
    segment.state = 'sealed';
    if (segment.unsettled <= 0) this.remove(segment);
  }

  private remove(segment: DiskSegment): void {
    if (segment.state === 'removed') return;
    segment.state = 'removed';
    this.segments = this.segments.filter((s) => s !== segment);
    this.dirtyAcks.delete(segment);
    // The records first: an ack file without its segment is only litter, cleaned by the next process.
    this.unlink(segment.path);
    this.unlink(segment.ackPath);
  }

  private unlink(path: string): void {
    try {
      unlinkSync(path);
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
    this.syncAcks();
    // Without our lock, leftover segments (entries never acknowledged) are orphans the next process replays.
    this.unlink(this.lockPath);
  }
}
