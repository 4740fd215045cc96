import { pump } from './batch-send.js';
import { BatchClock } from './batch-schedule.js';
import { closeRequested, isSpent, nextState, type ClientState, type LifecycleEvent } from './client-lifecycle.js';
import type { Reachability } from './client-lifecycle.js';
import { report, reportThrottled } from './client-report.js';
import {
  zeroDropCounts,
  type DropReason,
  type CloseOptions,
  type FlushResult,
  type LokiClient,
  type LokiClientStats,
} from './client-types.js';
import { DiskBuffer } from './disk-buffer.js';
import { closeDeadlineError } from './close-report.js';
import { CompactQueue } from './compact-queue.js';
import { EntryQueue, type HeldQueue } from './entry-queue.js';
import { LokiError, type LokiErrorCode } from './errors.js';
import { registerExitParticipant, unregisterExitParticipant, type ExitParticipant } from './exit-hook.js';
import { deliverSync, drainBy, flushBeforeExit } from './exit-path.js';
import { FlushWaiters } from './flush-waiters.js';
import {
  countDrop,
  enqueue,
  minUnsettledSeq,
  settleDropped,
  takeAllUnsettled,
  unsettledUpTo,
  type Batch,
} from './held-entries.js';
import { HttpSender } from './http-sender.js';
import type { ResolvedOptions } from './options.js';
import type { EncodedBody } from './push-encoder.js';
import type { LokiRecord } from './record.js';
import { RecordMapper } from './record-mapper.js';
import { entryInputOf, type LokiEntryInput } from './entry-input.js';
import { traceCapture, type TraceCapture } from './trace-context.js';
import { redactedForm } from './redact.js';
import { statsOf } from './client-stats.js';
import { MAX_TIMER_MILLIS } from './option-checks.js';

/**
 * The client: its parts (what is held, the batch clock, the flushes waiting, the lifecycle) and the
 * calls of its public surface. The data path runs through held-entries.ts (push, bounds, settling),
 * batch-send.ts (batches and attempts), answer-outcome.ts (what an answer does) and exit-path.ts.
 */
export class LokiClientImpl implements LokiClient, ExitParticipant {
  readonly mapper: RecordMapper;
  /** Reads the active span at push() (trace-context.ts); undefined: tracing off or @opentelemetry/api absent. */
  private readonly traceCapture: TraceCapture | undefined;
  readonly sender: HttpSender;
  /** What diagnostics events name as their `client`: the object the user holds (this, or its entry sink). */
  eventHandle: object = this;
  readonly disk: DiskBuffer | undefined;
  /** Entries as bytes (compact-queue.ts); entry objects with the disk buffer, which keeps its state on them. */
  readonly pending: HeldQueue;
  readonly inFlight = new Set<Batch>();
  readonly flushes = new FlushWaiters(() => ({
    acknowledged: this.counters.entriesSent,
    droppedByReason: this.dropped,
    partiallyRejected: this.entriesPartiallyRejected,
  }));
  seq = 0;
  readonly clock: BatchClock;
  /** The next batch, encoded ahead while a request is on the wire (see schedulePrepare in batch-send.ts). */
  prepared: { first: number; last: number; count: number; encoded: EncodedBody } | undefined;
  prepareScheduled = false;
  preparedAtRequest = -1;
  /** The lifecycle (client-lifecycle.ts): changed only through `to()`. */
  state: ClientState = 'running';
  closePromise: Promise<FlushResult> | undefined;
  exitStartedAt: number | undefined;
  /** The beforeExit flush's deadline aborted the requests on the wire (see attempt()). */
  exitCutOff = false;
  /** deliverAtExit()'s deadline, while `draining`: a batch whose next try would come after it is given up at once. */
  drainDeadline = Infinity;
  reachability: Reachability = 'up';
  exitFailures: string[] = [];
  readonly lastReported = new Map<LokiErrorCode, number>();
  readonly counters = {
    entriesPushed: 0,
    entriesSent: 0,
    entriesRetried: 0,
    entriesResent: 0,
    retries: 0,
    bufferedEntries: 0,
    bufferedBytes: 0,
    requests: 0,
    requestsFailed: 0,
    requestsPartiallyRejected: 0,
    bytesSent: 0,
  };
  /** Entries in 400 answers, for FlushResult (stats() counts the requests). */
  entriesPartiallyRejected = 0;
  readonly dropped: Record<DropReason, number> = zeroDropCounts();

  /** `captureTrace` false: the adapter reads the span on the app's thread; the names still mark the trace ids. */
  constructor(
    readonly options: ResolvedOptions,
    captureTrace = true,
  ) {
    this.pending = options.diskBuffer === undefined ? new CompactQueue() : new EntryQueue();
    this.mapper = new RecordMapper(options, (error) => report(this, error));
    this.traceCapture = captureTrace ? traceCapture(options.traceContext) : undefined;
    this.sender = new HttpSender(options);
    this.clock = new BatchClock(
      options.batchIntervalMillis,
      () => pump(this),
      () => isSpent(this.state),
    );
    if (options.diskBuffer !== undefined) {
      this.disk = DiskBuffer.open(options.diskBuffer, (error) => report(this, error));
      // Entries an earlier process left unacknowledged go first, with their original timestamps.
      let replayed: ReturnType<DiskBuffer['recover']> = [];
      try {
        replayed = this.disk?.recover((key, labels) => this.mapper.streamByKey(key, labels)) ?? [];
      } catch (error) {
        report(
          this,
          new LokiError(
            'ERR_LOKI_DISK_CORRUPT',
            `disk buffer: cannot read ${options.diskBuffer.directory}: ${(error as Error)?.message ?? String(error)}`,
            { cause: error },
          ),
        );
      }
      for (const { segment, ...rest } of replayed) {
        // A segment may hold a time that cannot go to Loki (written by an older version): it would sink its request.
        enqueue(this, { ...rest, timestampNs: this.mapper.replayTime(rest.timestampNs), seq: 0, segment });
      }
    }
    if (options.exitHook) registerExitParticipant(this);
    // Printed and serialized as a summary: the options and got's instance hold credentials.
    redactedForm(this, 'LokiClient', (self) => ({
      url: self.sender.safeUrl,
      encoding: self.options.encoding,
      closed: closeRequested(self.state),
      offline: self.reachability === 'offline',
      bufferedEntries: self.counters.bufferedEntries,
    }));
  }

  get closed(): boolean {
    return closeRequested(this.state);
  }

  to(event: LifecycleEvent): void {
    this.state = nextState(this.state, event);
  }

  // ---- record in ---------------------------------------------------------------------------

  push(record: LokiRecord): void {
    this.take(record, true);
  }

  /** The adapters' way in (entry-sink.ts): the same path as push(), without reading a loose record. */
  pushEntry(input: LokiEntryInput): void {
    this.take(input, false);
  }

  /** The one path of every entry: counted, refused once closed, mapped by the one mapper, held. */
  private take(given: LokiRecord | LokiEntryInput, loose: boolean): void {
    this.counters.entriesPushed++;
    try {
      if (closeRequested(this.state)) {
        countDrop(this, 'closed', 1);
        reportThrottled(this, 'ERR_LOKI_CLOSED', 'push() after close(): entry dropped');
        return;
      }
      let mapped;
      if (given === null || typeof given !== 'object') {
        // A JS caller's record may be anything: its text is the line (a record's message, as it always was).
        const text = String(given);
        mapped = this.mapper.map({ line: text }, this.traceCapture?.(), loose ? { message: text } : undefined);
      } else if (loose) {
        mapped = this.mapper.map(entryInputOf(given), this.traceCapture?.(), given);
      } else {
        mapped = this.mapper.map(given as LokiEntryInput, this.traceCapture?.());
      }
      if ('dropped' in mapped) {
        countDrop(this, 'line_too_long', 1);
        reportThrottled(
          this,
          'ERR_LOKI_LINE_TOO_LONG',
          `a ${mapped.bytes}-byte line exceeds maxLineBytes (${this.options.maxLineBytes}) and was dropped`,
        );
        return;
      }
      enqueue(this, mapped);
    } catch (error) {
      this.invalidRecord(error);
    }
  }

  pushInvalid(error: unknown): void {
    this.counters.entriesPushed++;
    this.invalidRecord(error);
  }

  private invalidRecord(error: unknown): void {
    countDrop(this, 'invalid_record', 1);
    let text: string;
    try {
      text = (error as Error)?.message ?? String(error);
    } catch {
      text = 'unreadable error';
    }
    reportThrottled(this, 'ERR_LOKI_INVALID_RECORD', `record could not be mapped: ${text}`, { cause: error });
  }

  // ---- flush and close ---------------------------------------------------------------------

  /**
   * The deadline timer is ref'd: code awaiting flush() (or close()) runs after it even when Loki is
   * down. The exit path passes keepAlive false so it never holds a process that is ending; nobody reads
   * that answer, so the losses in it stay untold for the app's next flush.
   */
  flush(options: { timeoutMillis?: number } = {}): Promise<FlushResult> {
    // Only the deadline: an answer of the client's own flush is always read (unread flushes: entry-sink.ts).
    return this.flushWith({ timeoutMillis: options?.timeoutMillis });
  }

  /**
   * `unread`: nobody reads the answer (an adapter's own flush, or the exit path's): its answer tells no loss, so
   * the next flush a caller reads still says `ok: false` for it. `keepAlive: false` also means unread.
   */
  flushWith(options: { timeoutMillis?: number; unread?: boolean; keepAlive?: boolean }): Promise<FlushResult> {
    const target = this.seq;
    const unread = options.unread === true || options.keepAlive === false;
    const spent = isSpent(this.state);
    if (spent || minUnsettledSeq(this) > target) {
      return Promise.resolve(this.flushes.answerNow(target, unread, spent ? unsettledUpTo(this, target) : 0));
    }
    // A caller's deadline past what a Node timer holds would fire at once: hold it at the longest timer.
    const timeoutMillis = Math.min(options.timeoutMillis ?? this.options.flushTimeoutMillis, MAX_TIMER_MILLIS);
    const answer = this.flushes.wait(target, unread, timeoutMillis, options.keepAlive !== false, () =>
      unsettledUpTo(this, target),
    );
    pump(this);
    return answer;
  }

  close(options: CloseOptions = {}): Promise<FlushResult> {
    this.closePromise ??= this.doClose(options);
    return this.closePromise;
  }

  private async doClose(options: CloseOptions): Promise<FlushResult> {
    this.to('close');
    this.clock.stop();
    const timeoutMillis = Math.max(0, Math.min(options.timeoutMillis ?? Infinity, this.options.closeTimeoutMillis));
    const result = await this.flush({ timeoutMillis });
    const notPushed = Math.max(0, Math.floor(options.notPushed ?? 0));
    this.giveUpRemaining(notPushed);
    this.to('closed');
    this.sender.destroy();
    this.disk?.close();
    unregisterExitParticipant(this);
    return notPushed === 0 ? result : { ...result, ok: false, pending: result.pending + notPushed };
  }

  /** At the close deadline: abort what is on the wire, drop and count what is left (and the adapter's). */
  private giveUpRemaining(notPushed: number): void {
    const left = takeAllUnsettled(this);
    this.clock.emptied();
    const before = { ...this.dropped };
    if (notPushed > 0) countDrop(this, 'shutdown_timeout', notPushed);
    if (left.length > 0) settleDropped(this, left, 'shutdown_timeout');
    const givenUp = left.length + notPushed;
    if (givenUp > 0) report(this, closeDeadlineError(this.options.closeTimeoutMillis, givenUp, before));
  }

  // ---- errors and stats --------------------------------------------------------------------

  /** For createLokiClient: a finding about the options, through the one error path. */
  reportAtStart(error: LokiError): void {
    report(this, error);
  }

  // ---- process end (exit-path.ts) ----------------------------------------------------------

  onBeforeExit(): void {
    flushBeforeExit(this);
  }

  onExit(timeoutOverrideMillis?: number): void {
    deliverSync(this, timeoutOverrideMillis);
  }

  /** See deliverAtExit(). */
  drainUntil(deadline: number): Promise<void> {
    return drainBy(this, deadline);
  }

  stats(): LokiClientStats {
    return statsOf(this);
  }
}
