import type { LokiClientStats } from './client.js';
import type { LokiEntrySink } from './entry-sink.js';
import { addStats } from './worker-answers.js';
import { CONTROL, snapshotStats, statsFromSlots } from './worker-protocol.js';

/**
 * What the delivery worker's main-thread half counts, and its stats(): the worker's counters (shared memory,
 * worker-protocol.ts) plus this thread's: entries logged, shed at the backlog bound, dropped after close() or
 * when the worker stopped, and not settled by the exit deadline.
 */
export class WorkerCounters {
  /** Entries log() accepted. */
  logged = 0;
  // int32 arithmetic, compared with the worker's counters of what it took in.
  private postedEntries = 0;
  private postedChars = 0;
  /** Chunks shed at the backlog bound (`buffer_full`). */
  droppedFull = 0;
  /** This thread's drops the latest flush answer told of: `ok` is about losses after it (core's rule). */
  toldFull = 0;
  /** Entries logged after close(), or lost when the worker stopped (`closed`). */
  droppedClosed = 0;
  /**
   * Entries the worker had not settled when it could do no more: the exit wait ended (`exit_failed`), or the
   * worker stopped before it answered close() (`shutdown_timeout`). Counted here, once.
   */
  lostAtEnd: { reason: 'exit_failed' | 'shutdown_timeout'; entries: number } | undefined;
  /** The worker's last snapshot once it is done or gone (exit wait over, closed, stopped): final. */
  private finalSlots: Float64Array | undefined;

  constructor(
    private readonly control: Int32Array,
    private readonly statsView: Float64Array,
  ) {}

  /** Entries posted and not yet taken in by the worker. */
  backlogEntries(): number {
    return (this.postedEntries - Atomics.load(this.control, CONTROL.consumedEntries)) | 0;
  }

  /** Text (UTF-16 units) posted and not yet taken in by the worker. */
  backlogChars(): number {
    return (this.postedChars - Atomics.load(this.control, CONTROL.consumedChars)) | 0;
  }

  posted(entries: number, chars: number): void {
    this.postedEntries = (this.postedEntries + entries) | 0;
    this.postedChars = (this.postedChars + chars) | 0;
  }

  /** The worker's counters: its latest consistent snapshot, or the final one. */
  workerStats(): LokiClientStats {
    return statsFromSlots(this.finalSlots ?? snapshotStats(this.statsView, this.control));
  }

  /**
   * From now on stats() adds up to what the worker had at this moment: at the end of the exit wait the
   * worker still runs (a send answered later would be counted both sent and lost).
   */
  freeze(): void {
    this.finalSlots ??= snapshotStats(this.statsView, this.control);
  }

  /** Entries logged and not yet taken in by the worker (posted or still in this tick's chunk). */
  inTransit(worker: LokiClientStats): number {
    return Math.max(0, this.logged - this.droppedFull - worker.entriesPushed);
  }

  /** The host's stats(); `inThread`: the entry sink that took over from a stopped worker. */
  stats(inThread: LokiEntrySink | undefined, demoted: Record<string, number>): LokiClientStats {
    const worker = this.workerStats();
    if (inThread !== undefined) {
      // Counters of both clients add up; the worker's last snapshot is final.
      const own = addStats(inThread.stats(), worker);
      // Lost with the worker: logged, taken in by neither client.
      own.entriesPushed += this.droppedClosed;
      own.droppedByReason.closed += this.droppedClosed;
      own.entriesDropped += this.droppedClosed;
      own.demotedLabels = { ...demoted, ...own.demotedLabels };
      return own;
    }
    const transit = this.inTransit(worker);
    const lost = this.lostAtEnd?.entries ?? 0;
    worker.bufferedEntries = Math.max(0, worker.bufferedEntries + transit - lost);
    worker.entriesDropped += lost;
    if (this.lostAtEnd !== undefined) worker.droppedByReason[this.lostAtEnd.reason] += lost;
    worker.entriesPushed = this.logged + this.droppedClosed;
    worker.entriesDropped += this.droppedFull + this.droppedClosed;
    worker.droppedByReason.buffer_full += this.droppedFull;
    worker.droppedByReason.closed += this.droppedClosed;
    worker.demotedLabels = { ...demoted };
    return worker;
  }
}
