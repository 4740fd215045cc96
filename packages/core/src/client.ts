import { DiskBuffer } from './disk-buffer.js';
import { EntryQueue } from './entry-queue.js';
import { LokiError, type LokiErrorCode } from './errors.js';
import { drainSync, type DrainBody } from './exit-drain.js';
import { registerExitParticipant, unregisterExitParticipant, type ExitParticipant } from './exit-hook.js';
import { HttpSender, mayHaveBeenStored, type SendResult } from './http-sender.js';
import { CLIENT_OPTION_NAMES, resolveOptions, type LokiClientOptions, type ResolvedOptions } from './options.js';
import { unknownOptionsError } from './option-names.js';
import { encodePushBody, type EncodedBody } from './push-encoder.js';
import { snappyCompressor, type SnappyImplementation } from './snappy-compress.js';
import type { LokiEntry, LokiRecord } from './record.js';
import { RecordMapper } from './record-mapper.js';
import { redactedForm } from './redact.js';
import { backoffDelayMillis } from './retry-policy.js';
import { entryCount } from './entry-count.js';
import { BatchClock, fitsInBatch, isBatchDue, isFull } from './batch-schedule.js';
import { countUpTo, FlushWaiters } from './flush-waiters.js';
import { closeRequested, everyBatchDue, isDraining, isSpent, nextState, type ClientState, type LifecycleEvent } from './client-lifecycle.js';
import { DROP_REASONS, type Compression, type DropReason, type FlushResult, type LokiClient, type LokiClientStats } from './client-types.js';

export { DROP_REASONS, COMPRESSIONS } from './client-types.js';
export type { DropReason, LokiClientStats, Compression, FlushResult, LokiClient } from './client-types.js';

interface Batch {
  entries: LokiEntry[];
  bytes: number;
  attempts: number;
  state: 'sending' | 'waiting';
  /** An attempt ended without saying Loki did not store it: the next one is a re-send. */
  maybeStored?: boolean;
  /** Its entries are marked sent in the disk buffer's ack files. */
  markedOnDisk?: boolean;
  encoded?: EncodedBody;
  timer?: NodeJS.Timeout;
  abort?: AbortController;
}

const REPORT_INTERVAL_MILLIS = 5000;

export function createLokiClient(options: LokiClientOptions = {}): LokiClient {
  const resolved = resolveOptions(options);
  const client = new LokiClientImpl(resolved);
  // A misspelt option would silently fall back to its default: say so once, at start-up.
  const unknown = unknownOptionsError(options, CLIENT_OPTION_NAMES);
  if (unknown !== undefined) client.reportAtStart(unknown);
  return client;
}

/**
 * Delivers what the client holds, synchronously, as its exit hook does at `process.exit()` (within
 * `closeTimeoutMillis`); the client is spent afterwards. For hosts that run a client where the
 * process's `exit` is not theirs to hear: a worker thread whose main thread is exiting.
 */
export function deliverSyncAtExit(client: LokiClient, timeoutMillis?: number): void {
  if (client instanceof LokiClientImpl) client.onExit(timeoutMillis);
}

/**
 * The same, for a host whose own event loop still runs while its process exits (a worker thread
 * whose main thread waits for it): sends asynchronously until `deadline` (epoch ms), waiting for the
 * answers of requests already on the wire (so nothing Loki acknowledged is sent twice); at the
 * deadline, what is left is counted (`exit_failed`) and reported. The client is spent afterwards.
 * Resolves by the deadline; never rejects.
 */
export function deliverAtExit(client: LokiClient, deadline: number): Promise<void> {
  return client instanceof LokiClientImpl ? client.drainUntil(deadline) : Promise.resolve();
}

/**
 * Counts (and reports) a record its caller could not even build, as push() counts one it cannot map
 * (`invalid_record`): for entry points that read the app's objects before push() (the SDK's fields).
 */
export function pushInvalid(client: LokiClient, error: unknown): void {
  if (client instanceof LokiClientImpl) client.pushInvalid(error);
}

class LokiClientImpl implements LokiClient, ExitParticipant {
  private readonly mapper: RecordMapper;
  private readonly sender: HttpSender;
  private readonly disk: DiskBuffer | undefined;
  private readonly pending = new EntryQueue();
  private readonly inFlight = new Set<Batch>();
  private readonly flushes = new FlushWaiters(() => ({
    acknowledged: this.counters.entriesSent,
    droppedByReason: this.dropped,
    partiallyRejected: this.entriesPartiallyRejected,
  }));
  private seq = 0;
  private readonly clock: BatchClock;
  /** The next batch, encoded ahead while a request is on the wire (see schedulePrepare). */
  private prepared: { first: LokiEntry; last: LokiEntry; count: number; encoded: EncodedBody } | undefined;
  private prepareScheduled = false;
  private preparedAtRequest = -1;
  /** The lifecycle (client-lifecycle.ts): changed only through `to()`. */
  private state: ClientState = 'running';
  private closePromise: Promise<FlushResult> | undefined;
  private exitStartedAt: number | undefined;
  /** The beforeExit flush's deadline aborted the requests on the wire (see attempt()). */
  private exitCutOff = false;
  /** deliverAtExit()'s deadline, while `draining`: a batch whose next try would come after it is given up at once. */
  private drainDeadline = Infinity;
  private outage = false;
  private exitFailures: string[] = [];
  private readonly lastReported = new Map<LokiErrorCode, number>();
  private readonly counters = {
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
  private entriesPartiallyRejected = 0;
  private readonly dropped: Record<DropReason, number> = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;

  constructor(private readonly options: ResolvedOptions) {
    this.mapper = new RecordMapper(options, (error) => this.report(error));
    this.sender = new HttpSender(options);
    this.clock = new BatchClock(options.batchIntervalMillis, () => this.pump(), () => isSpent(this.state));
    if (options.diskBuffer !== undefined) {
      this.disk = DiskBuffer.open(options.diskBuffer, (error) => this.report(error));
      // Entries an earlier process left unacknowledged go first, with their original timestamps.
      let replayed: ReturnType<DiskBuffer['recover']> = [];
      try {
        replayed = this.disk?.recover((key, labels) => this.mapper.streamByKey(key, labels)) ?? [];
      } catch (error) {
        this.report(new LokiError('ERR_LOKI_DISK_CORRUPT', `disk buffer: cannot read ${options.diskBuffer.directory}: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
      }
      for (const { segment, ...rest } of replayed) {
        // A segment may hold a time that cannot go to Loki (written by an older version): it would sink its request.
        this.enqueue({ ...rest, timestampNs: this.mapper.replayTime(rest.timestampNs), seq: 0, segment });
      }
    }
    if (options.exitHook) registerExitParticipant(this);
    // Printed and serialized as a summary: the options and got's instance hold credentials.
    redactedForm(this, 'LokiClient', (self) => ({
      url: self.sender.safeUrl,
      encoding: self.options.encoding,
      closed: closeRequested(self.state),
      offline: self.outage,
      bufferedEntries: self.counters.bufferedEntries,
    }));
  }

  get closed(): boolean {
    return closeRequested(this.state);
  }

  private to(event: LifecycleEvent): void {
    this.state = nextState(this.state, event);
  }

  // ---- record in ---------------------------------------------------------------------------

  push(record: LokiRecord): void {
    this.counters.entriesPushed++;
    try {
      if (closeRequested(this.state)) {
        this.countDrop('closed', 1);
        this.reportThrottled('ERR_LOKI_CLOSED', 'push() after close(): entry dropped');
        return;
      }
      if (record === null || typeof record !== 'object') {
        record = { message: String(record) };
      }
      const mapped = this.mapper.map(record);
      if ('dropped' in mapped) {
        this.countDrop('line_too_long', 1);
        this.reportThrottled(
          'ERR_LOKI_LINE_TOO_LONG',
          `a ${mapped.bytes}-byte line exceeds maxLineBytes (${this.options.maxLineBytes}) and was dropped`,
        );
        return;
      }
      this.enqueue(mapped.entry);
    } catch (error) {
      this.invalidRecord(error);
    }
  }

  pushInvalid(error: unknown): void {
    this.counters.entriesPushed++;
    this.invalidRecord(error);
  }

  private invalidRecord(error: unknown): void {
    this.countDrop('invalid_record', 1);
    let text: string;
    try {
      text = (error as Error)?.message ?? String(error);
    } catch {
      text = 'unreadable error';
    }
    this.reportThrottled('ERR_LOKI_INVALID_RECORD', `record could not be mapped: ${text}`, { cause: error });
  }

  private enqueue(entry: LokiEntry): void {
    const { bufferMaxBytes } = this.options;
    // While Loki is unreachable the (smaller) offline bound holds; a burst with Loki up has the whole buffer.
    const bufferMaxEntries = this.outage ? this.options.offlineBufferMaxEntries : this.options.bufferMaxEntries;
    while (this.counters.bufferedEntries + 1 > bufferMaxEntries || this.counters.bufferedBytes + entry.bytes > bufferMaxBytes) {
      if (!this.dropOldest()) {
        this.countDrop('buffer_full', 1);
        this.reportBufferFull();
        return;
      }
    }
    entry.seq = ++this.seq;
    if (this.disk !== undefined && entry.segment === undefined) this.disk.append(entry);
    this.pending.push(entry);
    this.counters.bufferedEntries++;
    this.counters.bufferedBytes += entry.bytes;
    this.clock.queued(isFull(this.pending.length, this.pending.bytes, this.options));
  }

  /** Drops the oldest entry that is not on the wire right now. */
  private dropOldest(): boolean {
    for (const batch of this.inFlight) {
      if (batch.state === 'waiting' && batch.entries.length > 0) {
        const entry = batch.entries.shift()!;
        batch.bytes -= entry.bytes;
        delete batch.encoded; // re-encoded from the remaining entries, same timestamps
        this.settleDropped([entry], 'buffer_full');
        if (batch.entries.length === 0) {
          clearTimeout(batch.timer);
          this.inFlight.delete(batch);
          this.clock.pumpSoon();
        }
        this.reportBufferFull();
        return true;
      }
    }
    const entry = this.pending.shift();
    if (entry === undefined) return false;
    if (this.pending.length === 0) this.clock.emptied();
    this.settleDropped([entry], 'buffer_full');
    this.reportBufferFull();
    return true;
  }

  // ---- batch and send ----------------------------------------------------------------------

  private pump(): void {
    if (isSpent(this.state)) return;
    while (this.inFlight.size < this.options.maxRequestsInFlight) {
      const batch = this.takeBatch();
      if (batch === undefined) break;
      this.inFlight.add(batch);
      void this.attempt(batch);
    }
    if (this.inFlight.size >= this.options.maxRequestsInFlight) this.schedulePrepare();
    this.clock.rearm(this.pending.length > 0 && this.inFlight.size < this.options.maxRequestsInFlight);
  }

  /** The entries the next batch takes from the front of the queue, left in place. */
  private nextBatchEntries(): { entries: LokiEntry[]; bytes: number } {
    const entries: LokiEntry[] = [];
    let bytes = 0;
    // Indexed, not through values(): a generator step per entry showed in the worker's profile.
    for (let next = this.pending.at(0); next !== undefined && fitsInBatch(entries.length, bytes, next, this.options); next = this.pending.at(entries.length)) {
      entries.push(next);
      bytes += next.bytes;
    }
    return { entries, bytes };
  }

  private takeBatch(): Batch | undefined {
    const { pending, options } = this;
    const hurry = this.flushes.waiting || everyBatchDue(this.state);
    if (!isBatchDue(pending.length, pending.bytes, this.clock.oldestSince, hurry, Date.now(), options)) return undefined;
    const { entries, bytes } = this.nextBatchEntries();
    for (let i = 0; i < entries.length; i++) pending.shift();
    if (pending.length === 0) this.clock.emptied();
    const batch: Batch = { entries, bytes, attempts: 0, state: 'sending' };
    const prepared = this.prepared;
    this.prepared = undefined;
    // Entries only leave the queue from the front and join at the back, so the same first and last
    // entry and the same count mean the very entries that were encoded.
    if (prepared !== undefined && prepared.count === entries.length && prepared.first === entries[0] && prepared.last === entries[entries.length - 1]) {
      batch.encoded = prepared.encoded;
    }
    return batch;
  }

  /**
   * Encodes the next full batch while the request before it is on the wire, so that it goes out as
   * soon as the slot frees (encoding 5000 entries takes ~5-10 ms; with one request in flight that
   * time was added to every round trip). At most once per request started, so a queue whose front
   * keeps changing (oldest dropped while the buffer is full) cannot make it encode over and over;
   * not during an outage.
   */
  private schedulePrepare(): void {
    if (this.prepareScheduled || this.outage || this.preparedAtRequest === this.counters.requests) return;
    const { pending, options } = this;
    if (!isFull(pending.length, pending.bytes, options)) return; // not full yet: may still grow
    this.prepareScheduled = true;
    // setImmediate: the request just started writes its body first.
    setImmediate(() => {
      this.prepareScheduled = false;
      if (isSpent(this.state) || this.outage || this.inFlight.size < this.options.maxRequestsInFlight) return;
      this.preparedAtRequest = this.counters.requests;
      const { entries } = this.nextBatchEntries();
      if (entries.length === 0) return;
      try {
        this.prepared = { first: entries[0]!, last: entries[entries.length - 1]!, count: entries.length, encoded: encodePushBody(entries, this.options.encoding) };
      } catch {
        this.prepared = undefined; // attempt() encodes again and reports the error there
      }
    });
  }

  private async attempt(batch: Batch): Promise<void> {
    batch.state = 'sending';
    delete batch.timer;
    batch.attempts++;
    if (batch.encoded === undefined) {
      try {
        batch.encoded = encodePushBody(batch.entries, this.options.encoding);
      } catch (error) {
        this.finish(batch);
        this.settleDropped(batch.entries, 'invalid_record');
        this.report(new LokiError('ERR_LOKI_INVALID_RECORD', `batch could not be encoded: ${(error as Error).message}`, { entries: batch.entries.length, cause: error }));
        return;
      }
    }
    const { body, headers } = batch.encoded;
    const abort = new AbortController();
    batch.abort = abort;
    this.counters.requests++;
    if (batch.attempts > 1) {
      this.counters.retries++;
      this.counters.entriesRetried += batch.entries.length;
    }
    if (batch.maybeStored === true) this.counters.entriesResent += batch.entries.length;
    if (this.disk !== undefined) {
      if (batch.attempts === 1) for (const e of batch.entries) if (e.sentBefore === true) this.counters.entriesResent++;
      if (batch.markedOnDisk !== true) {
        this.disk.markSent(batch.entries, true);
        batch.markedOnDisk = true;
      }
    }
    let result: SendResult;
    try {
      result = await this.sender.send(body, headers, abort.signal);
    } catch (error) {
      result = { outcome: 'retry', message: String(error), cause: error };
    }
    delete batch.abort;
    if (isSpent(this.state) || !this.inFlight.has(batch)) return; // given up by close() meanwhile
    if (this.exitCutOff && abort.signal.aborted) {
      // Cut off by the exit deadline, not a failure of Loki's: no report. The exit listener counts
      // it; should the process go on instead, it is tried again (a possible re-send).
      this.exitCutOff = false;
      batch.maybeStored = true;
      batch.state = 'waiting';
      batch.timer = setTimeout(() => void this.attempt(batch), this.options.retryInitialDelayMillis);
      batch.timer.unref();
      return;
    }
    this.handleResult(batch, body.length, result);
  }

  private handleResult(batch: Batch, bodyBytes: number, result: SendResult): void {
    const n = batch.entries.length;
    const where = `${result.status !== undefined ? `HTTP ${result.status}` : 'no answer'} from ${this.sender.safeUrl}`;
    switch (result.outcome) {
      case 'success':
        this.counters.bytesSent += bodyBytes;
        if (this.outage) this.outage = false;
        this.finish(batch);
        this.settleAcknowledged(batch.entries);
        return;
      case 'blocked':
        this.counters.requestsFailed++;
        this.finish(batch);
        this.settleDropped(batch.entries, 'ingestion_blocked');
        this.report(new LokiError('ERR_LOKI_INGESTION_BLOCKED', `Loki blocks ingestion (${where}): ${result.message}`, { status: result.status, responseBody: result.message, entries: n }));
        return;
      case 'reject':
        this.counters.requestsFailed++;
        this.finish(batch);
        if (result.status === 400) {
          // A 400 is a partial accept: the valid entries were stored. Resending would not help.
          this.counters.requestsPartiallyRejected++;
          this.entriesPartiallyRejected += n;
          this.flushes.partiallyRejected(batch.entries);
          this.settleAcknowledged(batch.entries);
          this.report(new LokiError('ERR_LOKI_PARTIAL_REJECT', `Loki rejected entries of a ${n}-entry batch (${where}): ${result.message}`, { status: 400, responseBody: result.message, entries: n }));
        } else {
          this.settleDropped(batch.entries, 'rejected');
          this.report(new LokiError('ERR_LOKI_REJECTED', `Loki rejected a ${n}-entry batch (${where}): ${result.message}`, { status: result.status, responseBody: result.message, entries: n }));
        }
        return;
      case 'retry':
        this.counters.requestsFailed++;
        if (mayHaveBeenStored(result)) batch.maybeStored = true;
        else if (this.disk !== undefined && batch.maybeStored !== true && batch.markedOnDisk === true) {
          this.disk.markSent(batch.entries, false); // certainly not in Loki: a replay is no re-send
          batch.markedOnDisk = false;
        }
        this.retryLater(batch, result, where);
    }
  }

  private retryLater(batch: Batch, result: SendResult, where: string): void {
    const { options } = this;
    const n = batch.entries.length;
    const exhausted = batch.attempts >= options.retryMaxAttempts;
    if (!this.outage) {
      this.outage = true;
      this.report(new LokiError('ERR_LOKI_UNAVAILABLE', `Loki push failed (${where}): ${result.message}; retrying`, { status: result.status, responseBody: result.message, entries: n, retryable: true, cause: result.cause }));
    }
    if (exhausted && (!options.offlineBuffer || closeRequested(this.state))) {
      this.finish(batch);
      this.settleDropped(batch.entries, 'retries_exhausted');
      this.report(new LokiError('ERR_LOKI_RETRIES_EXHAUSTED', `gave up a ${n}-entry batch after ${batch.attempts} attempts (${where}): ${result.message}`, { status: result.status, responseBody: result.message, entries: n }));
      return;
    }
    // Past its attempts with the offline buffer on, the batch is kept and probed at the longest delay.
    const delay = exhausted
      ? options.retryMaxDelayMillis
      : (result.retryAfterMillis ?? backoffDelayMillis(batch.attempts, options.retryInitialDelayMillis, options.retryMaxDelayMillis));
    if (isDraining(this.state) && Date.now() + delay >= this.drainDeadline) {
      // Draining at exit: no further try fits before the deadline. Ending now lets the process go.
      this.finish(batch);
      this.settleDropped(batch.entries, 'exit_failed');
      this.exitFailures.push(`${entryCount(n)}: ${result.message}`);
      return;
    }
    batch.state = 'waiting';
    batch.timer = setTimeout(() => void this.attempt(batch), delay);
    batch.timer.unref();
  }

  private finish(batch: Batch): void {
    clearTimeout(batch.timer);
    this.inFlight.delete(batch);
    this.clock.pumpSoon();
  }

  // ---- settle and account ------------------------------------------------------------------

  /** Entries leave the buffer; `keepOnDisk` leaves their records for the next process to replay. */
  private release(entries: readonly LokiEntry[], keepOnDisk = false): void {
    let bytes = 0;
    for (const e of entries) bytes += e.bytes;
    if (this.disk !== undefined && !keepOnDisk) this.disk.settle(entries);
    this.counters.bufferedEntries -= entries.length;
    this.counters.bufferedBytes -= bytes;
  }

  private settleAcknowledged(entries: readonly LokiEntry[]): void {
    this.release(entries);
    this.counters.entriesSent += entries.length;
    this.flushes.acknowledged(entries);
    this.flushes.check(this.minUnsettledSeq());
  }

  private settleDropped(entries: readonly LokiEntry[], reason: DropReason): void {
    // Undelivered at close or exit: on disk they survive for the next process.
    this.release(entries, reason === 'shutdown_timeout' || reason === 'exit_failed');
    this.countDrop(reason, entries.length);
    this.flushes.dropped(entries, reason);
    this.flushes.check(this.minUnsettledSeq());
  }

  private countDrop(reason: DropReason, n: number): void {
    this.dropped[reason] += n;
  }

  private minUnsettledSeq(): number {
    let min = this.pending.peek()?.seq ?? Infinity;
    for (const batch of this.inFlight) {
      const first = batch.entries[0];
      if (first !== undefined && first.seq < min) min = first.seq;
    }
    return min;
  }

  private unsettledUpTo(target: number): number {
    let n = 0;
    for (const batch of this.inFlight) n += countUpTo(batch.entries, target);
    for (const e of this.pending.values()) {
      if (e.seq > target) break;
      n++;
    }
    return n;
  }

  // ---- flush and close ---------------------------------------------------------------------

  /**
   * The deadline timer is ref'd: code awaiting flush() (or close()) runs after it even when Loki is
   * down. The exit path passes keepAlive false so it never holds a process that is ending; nobody reads
   * that answer, so the losses in it stay untold for the app's next flush.
   */
  flush(options: { timeoutMillis?: number; internal?: boolean; keepAlive?: boolean } = {}): Promise<FlushResult> {
    const target = this.seq;
    const unread = options.internal === true || options.keepAlive === false;
    const spent = isSpent(this.state);
    if (spent || this.minUnsettledSeq() > target) {
      return Promise.resolve(this.flushes.answerNow(target, unread, spent ? this.unsettledUpTo(target) : 0));
    }
    const timeoutMillis = options.timeoutMillis ?? this.options.flushTimeoutMillis;
    const answer = this.flushes.wait(target, unread, timeoutMillis, options.keepAlive !== false, () => this.unsettledUpTo(target));
    this.pump();
    return answer;
  }

  close(): Promise<FlushResult> {
    this.closePromise ??= this.doClose();
    return this.closePromise;
  }

  private async doClose(): Promise<FlushResult> {
    this.to('close');
    this.clock.stop();
    const result = await this.flush({ timeoutMillis: this.options.closeTimeoutMillis });
    this.giveUpRemaining();
    this.to('closed');
    this.sender.destroy();
    this.disk?.close();
    unregisterExitParticipant(this);
    return result;
  }

  /** At the close deadline: abort what is on the wire, drop and count what is left. */
  private giveUpRemaining(): void {
    const left = this.takeAllUnsettled();
    this.clock.emptied();
    if (left.length > 0) {
      this.settleDropped(left, 'shutdown_timeout');
      this.report(new LokiError('ERR_LOKI_SHUTDOWN_TIMEOUT', `close() deadline (${this.options.closeTimeoutMillis} ms) passed: ${entryCount(left.length)} not delivered`, { entries: left.length }));
    }
  }

  /** Empties the buffer: in-flight batches (aborted) then waiting entries, oldest first. */
  private takeAllUnsettled(): LokiEntry[] {
    // concat, not push(...spread): the buffer may hold a million entries, past the argument limit.
    let left: LokiEntry[] = [];
    for (const batch of this.inFlight) {
      clearTimeout(batch.timer);
      batch.abort?.abort();
      left = left.concat(batch.entries);
    }
    this.inFlight.clear();
    return left.concat(this.pending.clear());
  }

  // ---- process end -------------------------------------------------------------------------

  onBeforeExit(): void {
    if (this.state !== 'running' || this.counters.bufferedEntries === 0) return;
    this.exitStartedAt ??= Date.now();
    const left = this.exitStartedAt + this.options.closeTimeoutMillis - Date.now();
    if (left <= 0) return; // the deadline is spent: the exit listener counts and reports what is left
    this.to('before-exit');
    // Ref'd: this timer is what keeps the process alive while the flush runs (our sockets never do,
    // see http-sender.ts); once the flush is answered or the deadline comes, the process may end.
    const deadline = setTimeout(() => {
      // Do not let a slow Loki hold the process past the deadline; the exit listener then counts
      // what is left (it has no time left to send it again).
      this.exitCutOff = true;
      for (const batch of this.inFlight) batch.abort?.abort();
    }, left);
    void this.flush({ timeoutMillis: left, keepAlive: false }).then(() => {
      clearTimeout(deadline);
      this.to('exit-flush-done');
    });
  }

  /**
   * The `exit` listener: a synchronous send of everything held (exit-drain.ts), ending by the exit
   * deadline: `closeTimeoutMillis` from the start of the process end (the `beforeExit` flush, if
   * any, spent part of it), or `timeoutOverrideMillis` from now. Encoding takes time too: with a
   * backlog larger than the deadline can carry, only what a quarter of the time left can encode is
   * sent, the rest is counted at once. Requests on the wire with no answer yet are sent again (the
   * answer can no longer arrive: a possible duplicate is better than a silent loss), reusing their
   * body, and counted in `entriesResent` when delivered.
   */
  onExit(timeoutOverrideMillis?: number): void {
    if (isSpent(this.state)) return;
    if (this.counters.bufferedEntries === 0) {
      this.disk?.close(); // everything acknowledged: no segment left behind
      return;
    }
    const now = Date.now();
    const deadline = timeoutOverrideMillis !== undefined ? now + timeoutOverrideMillis : (this.exitStartedAt ?? now) + this.options.closeTimeoutMillis;
    const encodeUntil = now + Math.max(0, deadline - now) / 4;
    const groups = this.takeGroupsForExit();
    // Counted, not concatenated: each pass over a million entries costs (seconds on a loaded machine).
    let total = 0;
    for (const g of groups) total += g.entries.length;
    this.to('exit');
    // On disk first: should the drain fail or the machine die, the next process replays them.
    this.disk?.writePending();
    const bodies: DrainBody[] = [];
    const resent: boolean[] = [];
    /** Per body, its entries: those of an acknowledged body are settled on disk (never replayed). */
    const bodyEntries: LokiEntry[][] = [];
    try {
      for (const group of groups) {
        if (Date.now() >= encodeUntil && bodies.length > 0) break;
        if (group.encoded !== undefined) {
          bodies.push({ ...group.encoded, entries: group.entries.length });
          resent.push(group.unanswered);
          bodyEntries.push(group.entries);
          continue;
        }
        const { entries } = group;
        for (let i = 0; i < entries.length && (bodies.length === 0 || Date.now() < encodeUntil); ) {
          const chunk: LokiEntry[] = [];
          let bytes = 0;
          while (i < entries.length && fitsInBatch(chunk.length, bytes, entries[i]!, this.options)) {
            bytes += entries[i]!.bytes;
            chunk.push(entries[i++]!);
          }
          bodies.push({ ...encodePushBody(chunk, this.options.encoding), entries: chunk.length });
          resent.push(group.unanswered);
          bodyEntries.push(chunk);
        }
      }
      const result = drainSync(this.options, bodies, deadline);
      const failed = total - result.sent;
      this.counters.entriesSent += result.sent;
      for (let i = 0; i < bodies.length; i++) if (resent[i] === true && result.delivered[i] === true) this.counters.entriesResent += bodies[i]!.entries;
      this.countDrop('exit_failed', failed);
      // What Loki acknowledged leaves the disk; the rest stays for the next process to replay.
      if (this.disk !== undefined) {
        if (failed === 0) for (const g of groups) this.disk.settle(g.entries);
        else {
          for (let i = 0; i < bodies.length; i++) {
            if (result.delivered[i] === true) this.disk.settle(bodyEntries[i]!);
            // Sent without an answer: Loki may hold it, so its replay is counted as a re-send.
            else if (result.tried[i] === true) this.disk.markSent(bodyEntries[i]!, true);
          }
        }
      }
      if (failed > 0) {
        this.report(new LokiError('ERR_LOKI_EXIT_DRAIN', `at process exit, ${entryCount(failed)} could not be delivered by the exit deadline: ${result.error ?? 'exit deadline reached'}`, { entries: failed }));
      }
    } catch (error) {
      this.countDrop('exit_failed', total);
      this.report(new LokiError('ERR_LOKI_EXIT_DRAIN', `at process exit, delivery failed: ${(error as Error).message}`, { entries: total, cause: error }));
    }
    // Everything held was taken: the buffer is empty.
    this.counters.bufferedEntries = 0;
    this.counters.bufferedBytes = 0;
    this.disk?.close();
    this.sender.destroy();
  }

  /**
   * Everything held, for the exit drain: each in-flight batch alone (its encoded body is reused,
   * and it is marked when its request is on the wire without an answer), then the waiting entries.
   */
  private takeGroupsForExit(): Array<{ entries: LokiEntry[]; encoded?: EncodedBody; unanswered: boolean }> {
    const groups: Array<{ entries: LokiEntry[]; encoded?: EncodedBody; unanswered: boolean }> = [];
    for (const batch of this.inFlight) {
      const unanswered = batch.state === 'sending' && batch.abort !== undefined;
      clearTimeout(batch.timer);
      batch.abort?.abort();
      if (batch.entries.length === 0) continue;
      groups.push({ entries: batch.entries, ...(batch.encoded !== undefined ? { encoded: batch.encoded } : {}), unanswered });
    }
    this.inFlight.clear();
    this.clock.emptied();
    const rest = this.pending.clear();
    if (rest.length > 0) groups.push({ entries: rest, unanswered: false });
    return groups;
  }

  /** See deliverAtExit(). */
  async drainUntil(deadline: number): Promise<void> {
    if (isSpent(this.state)) return;
    this.drainDeadline = deadline;
    this.to('drain'); // every batch is due at once
    this.clock.stop();
    const left = deadline - Date.now();
    if (left > 0 && this.counters.bufferedEntries > 0) await this.flush({ timeoutMillis: left, keepAlive: false });
    if (isSpent(this.state)) return; // the exit listener ran meanwhile
    const undelivered = this.takeAllUnsettled();
    this.clock.emptied();
    this.to('exit');
    if (undelivered.length > 0) {
      this.disk?.writePending();
      this.settleDropped(undelivered, 'exit_failed');
      this.exitFailures.push(`${entryCount(undelivered.length)}: deadline reached (a request cut off there may have been stored)`);
    }
    const failed = this.dropped.exit_failed;
    if (failed > 0) {
      this.report(new LokiError('ERR_LOKI_EXIT_DRAIN', `at process exit, ${entryCount(failed)} could not be delivered by the exit deadline: ${this.exitFailures.slice(-3).join('; ')}`, { entries: failed }));
    }
    this.disk?.close();
    this.sender.destroy();
  }

  // ---- errors and stats --------------------------------------------------------------------

  /** For createLokiClient: a finding about the options, through the one error path. */
  reportAtStart(error: LokiError): void {
    this.report(error);
  }

  private report(error: LokiError): void {
    try {
      this.options.onError(error);
    } catch {
      // The error path itself must never throw into the data path.
    }
  }

  private reportThrottled(code: LokiErrorCode, message: string, details: { cause?: unknown } = {}): void {
    const now = Date.now();
    const last = this.lastReported.get(code);
    if (last !== undefined && now - last < REPORT_INTERVAL_MILLIS) return;
    this.lastReported.set(code, now);
    this.report(new LokiError(code, message, details));
  }

  private reportBufferFull(): void {
    const entries = this.outage ? this.options.offlineBufferMaxEntries : this.options.bufferMaxEntries;
    this.reportThrottled(
      'ERR_LOKI_BUFFER_FULL',
      `buffer full (${entries} entries${this.outage ? ' while Loki is unreachable' : ''} / ${this.options.bufferMaxBytes} bytes): oldest entries dropped (${this.dropped.buffer_full} so far)`,
    );
  }

  stats(): LokiClientStats {
    const droppedByReason = { ...this.dropped };
    const entriesDropped = Object.values(droppedByReason).reduce((a, b) => a + b, 0);
    return {
      ...this.counters,
      entriesDropped,
      droppedByReason,
      ...this.mapper.counters,
      offline: this.outage,
      ...(this.disk?.counters ?? { diskEntriesWritten: 0, diskEntriesReplayed: 0, diskEntriesDropped: 0, diskCorruptRecords: 0 }),
      compression: compressionOf(this.options.encoding),
    };
  }
}

function compressionOf(encoding: ResolvedOptions['encoding']): Compression {
  if (encoding === 'protobuf') return snappyCompressor().implementation;
  return encoding === 'json-gzip' ? 'gzip' : 'none';
}


