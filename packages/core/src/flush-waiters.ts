import { DROP_REASONS, type DropReason, type FlushResult } from './client-types.js';
import type { LokiEntry } from './record.js';

/** When a flush resolves, and what its answer says. */

/** The client's counts a flush starts from (what every entry pushed so far came to). */
export interface SettledCounts {
  acknowledged: number;
  droppedByReason: Readonly<Record<DropReason, number>>;
  /** Entries in 400 answers. */
  partiallyRejected: number;
}

interface LossCounts {
  dropped: number;
  partiallyRejected: number;
}

/** A flush in wait: the counts at its call, plus what settles later among the entries up to `target`. */
interface FlushWaiter {
  target: number;
  acknowledged: number;
  dropped: number;
  droppedByReason: Record<DropReason, number>;
  partiallyRejected: number;
  /** Losses already told by an answer given before this flush was called: `ok` is about what came after. */
  told: LossCounts;
  /** An adapter's or the exit path's own flush: its answer reaches no caller, so it tells nothing. */
  unread: boolean;
  resolve: (result: FlushResult) => void;
  timer?: NodeJS.Timeout;
}

export class FlushWaiters {
  private waiters: FlushWaiter[] = [];
  /** The losses the latest flush answer told of (the highest counts any answer carried). */
  private told: LossCounts = { dropped: 0, partiallyRejected: 0 };

  constructor(private readonly counts: () => SettledCounts) {}

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** The answer of a flush with nothing to wait for: `pending` entries up to its target are left (spent client). */
  answerNow(target: number, unread: boolean, pending: number): FlushResult {
    return this.answer(
      this.waiterAt(target, unread, () => {}),
      pending,
      false,
    );
  }

  /**
   * A flush that waits until `check()` finds everything up to `target` settled, or `timeoutMillis`
   * (then `pendingAt()` says how many are left). `keepAlive` false unrefs its timer.
   */
  wait(
    target: number,
    unread: boolean,
    timeoutMillis: number,
    keepAlive: boolean,
    pendingAt: () => number,
  ): Promise<FlushResult> {
    return new Promise<FlushResult>((resolve) => {
      const waiter = this.waiterAt(target, unread, resolve);
      waiter.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(this.answer(waiter, pendingAt(), true));
      }, timeoutMillis);
      if (!keepAlive) waiter.timer.unref();
      this.waiters.push(waiter);
    });
  }

  acknowledged(entries: readonly LokiEntry[]): void {
    for (const w of this.waiters) w.acknowledged += countUpTo(entries, w.target);
  }

  /** Entries of a 400 answer (also acknowledged: the valid ones were stored). */
  partiallyRejected(entries: readonly LokiEntry[]): void {
    for (const w of this.waiters) w.partiallyRejected += countUpTo(entries, w.target);
  }

  dropped(entries: readonly LokiEntry[], reason: DropReason): void {
    for (const w of this.waiters) {
      const n = countUpTo(entries, w.target);
      w.dropped += n;
      w.droppedByReason[reason] += n;
    }
  }

  /** Answers every flush whose entries are all settled: `minUnsettledSeq` is the oldest entry still held. */
  check(minUnsettledSeq: number): void {
    if (this.waiters.length === 0) return;
    const done = this.waiters.filter((w) => w.target < minUnsettledSeq);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.target >= minUnsettledSeq);
    for (const w of done) {
      clearTimeout(w.timer);
      w.resolve(this.answer(w, 0, false));
    }
  }

  private waiterAt(target: number, unread: boolean, resolve: (result: FlushResult) => void): FlushWaiter {
    const counts = this.counts();
    const droppedByReason = { ...counts.droppedByReason };
    let dropped = 0;
    for (const reason of DROP_REASONS) dropped += droppedByReason[reason];
    return {
      target,
      acknowledged: counts.acknowledged,
      dropped,
      droppedByReason,
      partiallyRejected: counts.partiallyRejected,
      told: { ...this.told },
      unread,
      resolve,
    };
  }

  /** A waiter's answer; the losses it carries count as told for flushes called after it (unless nobody reads it). */
  private answer(w: FlushWaiter, pending: number, timedOut: boolean): FlushResult {
    const result: FlushResult = {
      ok:
        w.dropped === w.told.dropped && w.partiallyRejected === w.told.partiallyRejected && pending === 0 && !timedOut,
      acknowledged: w.acknowledged,
      dropped: w.dropped,
      droppedByReason: { ...w.droppedByReason },
      partiallyRejected: w.partiallyRejected,
      pending,
      timedOut,
    };
    if (!w.unread) {
      this.told = {
        dropped: Math.max(this.told.dropped, w.dropped),
        partiallyRejected: Math.max(this.told.partiallyRejected, w.partiallyRejected),
      };
    }
    return result;
  }
}

/** How many of `entries` were pushed up to `target` (their seq). */
export function countUpTo(entries: readonly LokiEntry[], target: number): number {
  let n = 0;
  for (const e of entries) if (e.seq <= target) n++;
  return n;
}
