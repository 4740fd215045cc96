import type { ResolvedOptions } from './options.js';
import type { LokiEntry } from './record.js';

/** When a batch is due: it is full, its oldest entry is `batchIntervalMillis` old, or someone waits for it. */

type BatchLimits = Pick<ResolvedOptions, 'batchMaxEntries' | 'batchMaxBytes' | 'batchIntervalMillis'>;

/**
 * The size rule of a request: batchMaxEntries and batchMaxBytes, but the first entry always goes (a large one travels
 * alone).
 */
export function fitsInBatch(
  count: number,
  bytes: number,
  next: Pick<LokiEntry, 'bytes'>,
  options: Pick<BatchLimits, 'batchMaxEntries' | 'batchMaxBytes'>,
): boolean {
  return count === 0 || (count < options.batchMaxEntries && bytes + next.bytes <= options.batchMaxBytes);
}

/** The waiting entries fill a request: it goes without waiting for the interval. */
export function isFull(entries: number, bytes: number, options: BatchLimits): boolean {
  return entries >= options.batchMaxEntries || bytes >= options.batchMaxBytes;
}

/**
 * Whether the waiting entries go now. `hurry`: a flush waits, or the client is ending.
 * `oldestSince` is when the oldest waiting entry was queued (epoch ms).
 */
export function isBatchDue(
  entries: number,
  bytes: number,
  oldestSince: number | undefined,
  hurry: boolean,
  now: number,
  options: BatchLimits,
): boolean {
  if (entries === 0) return false;
  return isFull(entries, bytes, options) || hurry || now - (oldestSince ?? 0) >= options.batchIntervalMillis;
}

/**
 * The clock of the batch pipeline: the age of the oldest waiting entry, the interval timer (unref'd)
 * and the one-per-tick pump for full batches. It calls `pump` when a batch may be due.
 */
export class BatchClock {
  /** When the oldest waiting entry was queued (epoch ms); undefined while none waits. */
  oldestSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;

  constructor(
    private readonly intervalMillis: number,
    private readonly pump: () => void,
    /** The client is spent: nothing is scheduled any more. */
    private readonly spent: () => boolean,
  ) {}

  /** An entry joined the queue; `full`: the queue fills a request now. */
  queued(full: boolean): void {
    this.oldestSince ??= Date.now();
    if (full) this.pumpSoon();
    else if (this.timer === undefined) this.arm(this.intervalMillis);
  }

  /** The queue is empty: no age to wait on. */
  emptied(): void {
    this.oldestSince = undefined;
  }

  /** A pump on the next turn of the loop (once however many ask), after the current synchronous work. */
  pumpSoon(): void {
    if (this.pumpScheduled || this.spent()) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** After a pump: entries still wait and a request slot is free, so the interval timer runs for the oldest. */
  rearm(waiting: boolean): void {
    if (!waiting || this.timer !== undefined) return;
    const now = Date.now();
    const age = now - (this.oldestSince ?? now);
    this.arm(Math.max(0, this.intervalMillis - age));
  }

  /** The client is ending: no interval any more (every batch is due). */
  stop(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delay);
    this.timer.unref();
  }
}
