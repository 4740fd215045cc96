/** The disk buffer's settings, their defaults, and its counters (in `stats()`). */

export interface DiskBufferOptions {
  /** Directory of the segment files (created if missing). */
  directory: string;
  /**
   * Most bytes this process keeps in the directory (segments, ack files, lock); the oldest segments are deleted to stay
   * within it (counted). Default 256 MiB.
   */
  maxBytes?: number;
  /** Pending records are written and fsync'd at most this late: what a kill -9 may lose. Default 1000. */
  syncIntervalMillis?: number;
  /**
   * Most bytes of one segment, its ack file included; a new one is started before a write would pass it. Default 8 MiB.
   */
  segmentMaxBytes?: number;
  /**
   * Only for an owner on another host (liveness cannot be checked): a lock whose heartbeat is older than this is a dead
   * owner's. Default 30000.
   */
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
