import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Claiming: this process's name in the directory and its lock, which other owners are gone, and
 * whose segments (orphans) may be taken. Owner names are `seg-<pid>-<startMillis>-<random>`.
 */

const HEARTBEAT_MILLIS = 5_000;
export const SEGMENT_RE = /^(seg-(\d+)-\d+-[0-9a-f]+)-(\d+)\.seg$/;
const ACK_RE = /^(seg-\d+-\d+-[0-9a-f]+)-\d+\.ack$/;

export interface LockInfo {
  pid: number;
  host?: string;
  /** Process start as the kernel tells it (Linux: /proc/<pid>/stat field 22), to tell a reused pid. */
  start?: string;
  /** Process start, epoch ms (from the clock and process.uptime()): tells our own pid's previous life without /proc. */
  startMillis?: number;
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

export class DirectoryOwner {
  readonly host = hostname();
  readonly start = processStart(process.pid);
  readonly startMillis = Math.round(Date.now() - process.uptime() * 1000);
  /** This process's owner name: the prefix of its files. */
  readonly owner: string;
  readonly lockPath: string;
  private heartbeat: NodeJS.Timeout | undefined;

  /** The directory must exist. */
  constructor(
    private readonly directory: string,
    private readonly heartbeatTimeoutMillis: number,
  ) {
    this.owner = `seg-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 0xffffffff).toString(16)}`;
    this.lockPath = join(this.directory, `${this.owner}.lock`);
  }

  /** What the lock file says: pid, host and process start. */
  lockText(): string {
    const lock: LockInfo = {
      pid: process.pid,
      host: this.host,
      ...(this.start !== undefined ? { start: this.start } : {}),
      startMillis: this.startMillis,
    };
    return JSON.stringify(lock);
  }

  /** The lock's mtime is touched on a timer (unref'd): an owner on another host judges liveness by it. */
  startHeartbeat(): void {
    this.heartbeat = setInterval(
      () => {
        try {
          const now = new Date();
          utimesSync(this.lockPath, now, now);
        } catch {
          // A vanished lock only means another process may claim our segments later: harmless duplicates.
        }
      },
      Math.min(HEARTBEAT_MILLIS, Math.max(10, Math.floor(this.heartbeatTimeoutMillis / 3))),
    );
    this.heartbeat.unref();
  }

  stopHeartbeat(): void {
    clearInterval(this.heartbeat);
  }

  /**
   * Takes an orphan segment by renaming it into our own segment number `n` (only one process wins
   * the rename); undefined when another process took it first. Renamed, it is ours: should we crash
   * in turn, it is an orphan again.
   */
  claim(file: string, n: number): { claimed: string; claimedAck: string } | undefined {
    const claimed = join(this.directory, `${this.owner}-${n}.seg`);
    const claimedAck = join(this.directory, `${this.owner}-${n}.ack`);
    try {
      renameSync(join(this.directory, file), claimed);
    } catch {
      return undefined;
    }
    // The .seg rename decided the winner; its acks follow it. (A crash between the two renames
    // loses the acks: the next replay re-sends that segment in full.)
    try {
      renameSync(join(this.directory, `${file.slice(0, -4)}.ack`), claimedAck);
    } catch {
      // no ack file: nothing of it was settled yet
    }
    return { claimed, claimedAck };
  }

  /** Segment files of owners that are gone, oldest owner first, then by segment number. */
  findOrphans(): string[] {
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
  removeStaleFiles(): void {
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
        if (Date.now() - statSync(path).mtimeMs > 60_000) unlink(path);
      } catch {
        // gone meanwhile
      }
    }
    for (const owner of deadOwners) {
      if (!readdirSync(this.directory).some((f) => f.startsWith(`${owner}-`)))
        unlink(join(this.directory, `${owner}.lock`));
    }
  }
}

function unlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
