import type { LokiTimestamp } from './timestamp.js';

/**
 * What the application hands to `push()`. `label_<name>` fields and the `labels` object become stream
 * labels; every other field (and the `metadata` object) becomes metadata.
 */
export interface LokiRecord {
  /** The log line. Wins over `message`. */
  line?: string;
  /** The message; non-strings are stringified safely. */
  message?: unknown;
  level?: string;
  /** Epoch ms number, Date, ns bigint, ns decimal string or RFC 3339 string. Default: now (ns). */
  timestamp?: LokiTimestamp;
  labels?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** `true`: `line` is a message, never read as JSON when metadata goes into it (as a line made of `message`). */
  lineIsMessage?: boolean;
  [field: string]: unknown;
}

/** A stream: its canonical label text and, for the order tie-break, the last timestamp given in it. */
export interface StreamRef {
  readonly key: string;
  readonly labels: ReadonlyArray<readonly [string, string]>;
  lastNs: bigint;
}

/** An entry as it waits in the buffer and goes on the wire. */
export interface LokiEntry {
  readonly stream: StreamRef;
  readonly timestampNs: bigint;
  readonly line: string;
  readonly metadata: ReadonlyArray<readonly [string, string]> | undefined;
  /** line + metadata bytes, as Loki counts them: exact UTF-8 byte counts (the protobuf encoder relies on it). */
  readonly bytes: number;
  seq: number;
  /** Disk segment holding this entry's record until Loki acknowledges it (disk buffer only). */
  segment?: DiskSegment;
  /** The record's number in its segment: its byte in the segment's ack file (disk buffer only). */
  diskIndex?: number;
  /** Replayed from disk, and the process that wrote it had sent it without an answer: may be in Loki already. */
  sentBefore?: boolean;
  /** Acknowledged or given up (the disk buffer skips writing it). */
  settled?: boolean;
}

/**
 * A file of the disk buffer (`.seg`, one record a line) with its ack file (`.ack`, one byte a record);
 * deleted once sealed and every entry in it is settled.
 */
export interface DiskSegment {
  readonly path: string;
  readonly ackPath: string;
  /** Bytes of the `.seg` file. */
  dataBytes: number;
  /** Records in the `.seg` file, torn or corrupt ones included: also the most the `.ack` file can hold. */
  records: number;
  unsettled: number;
  state: 'active' | 'sealed' | 'removed';
}
