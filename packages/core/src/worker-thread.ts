import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { FlushResult } from './client.js';
import { createEntrySink, deliverSinkAtExit } from './entry-sink.js';
import type { LokiError } from './errors.js';
import {
  CONTROL,
  EXIT_DEADLINE_SLOT,
  writeStats,
  type EntryChunk,
  type ErrorReport,
  type FlushRequest,
  type FromWorker,
  type ToWorker,
  type WorkerLineMapper,
  type WorkerSetup,
} from './worker-protocol.js';
import { pushChunk } from './worker-chunk.js';
import { relayRequests } from './worker-metrics.js';

/**
 * The worker half of the delivery worker, called by the adapter's worker script with its mapper:
 * takes the chunks the main thread posts, maps each entry to core's entry input and pushes it to an
 * entry sink, which batches, encodes and sends. Answers flush/close requests and, when the main thread
 * exits, delivers asynchronously (deliverAtExit) while that thread waits on the control word.
 */
export function runDeliveryWorker(mapLine: WorkerLineMapper): void {
  if (parentPort === null) return; // not in a worker: nothing to serve
  const parent = parentPort;
  const setup = workerData as WorkerSetup;
  const control = new Int32Array(setup.control);
  const statsView = new Float64Array(setup.stats);
  const { port, mapperOptions } = setup;
  lowerPriority();
  // No span in this thread: the adapter reads it on the main thread at the log call, into the entry's metadata.
  // The span is read on the app's thread (the adapter's log call); its field names still mark the trace ids.
  const sink = createEntrySink({ ...setup.client, onError: report }, { captureTrace: false });
  function report(error: LokiError): void {
    const message: ErrorReport = {
      type: 'error',
      code: error.code,
      message: error.message,
      status: error.status,
      responseBody: error.responseBody,
      entries: error.entries,
      retryable: error.retryable,
    };
    post(message);
    if (error.code === 'ERR_LOKI_CARDINALITY') post({ type: 'demoted', labels: sink.stats().demotedLabels });
  }
  function post(message: FromWorker): void {
    try {
      port.postMessage(message);
    } catch {
      // The main thread is gone.
    }
  }
  let relaying = false;

  /** Entries of chunks that reached this thread after the exit deadline: not delivered, counted. */
  let lateAtExit = 0;

  function publishStats(): void {
    const stats = sink.stats();
    if (lateAtExit > 0) {
      stats.entriesPushed += lateAtExit;
      stats.entriesDropped += lateAtExit;
      stats.droppedByReason.exit_failed += lateAtExit;
    }
    writeStats(statsView, control, stats);
  }

  // Sends and acknowledgements change the counters between chunks; stats() on the main thread reads this.
  setInterval(publishStats, 50).unref();

  function take(chunk: EntryChunk): void {
    const exitDeadline = statsView[EXIT_DEADLINE_SLOT]!;
    // The process is exiting and its deadline has passed: counting is all that is left to do.
    if (exitDeadline > 0 && Date.now() >= exitDeadline) lateAtExit += chunk.count;
    else pushChunk(chunk, mapLine, mapperOptions, sink);
    Atomics.add(control, CONTROL.consumedEntries, chunk.count);
    Atomics.add(control, CONTROL.consumedChars, chunk.text.length - (chunk.count - 1));
    publishStats();
  }

  function answer(id: number, result: Promise<FlushResult>): void {
    void result.then((value) => {
      publishStats();
      try {
        port.postMessage({ type: 'answer', id, result: value });
      } catch {
        // The main thread is gone.
      }
    });
  }

  /**
   * The natural end of the app: flush, but answer as soon as a request fails (Loki down or slow)
   * so the app is not held for the whole deadline; the exit delivery then has one more go.
   */
  function flushAtExit(request: FlushRequest): Promise<FlushResult> {
    const before = sink.stats().requestsFailed;
    return new Promise((resolve) => {
      const poll = setInterval(() => {
        if (sink.stats().requestsFailed === before) return;
        clearInterval(poll);
        const stats = sink.stats();
        // The counts as a flush would give them (it answers for everything pushed so far).
        resolve({
          ok: false,
          acknowledged: stats.entriesSent,
          dropped: stats.entriesDropped,
          droppedByReason: { ...stats.droppedByReason },
          partiallyRejected: 0,
          pending: stats.bufferedEntries,
          timedOut: false,
        });
      }, 20);
      void sink.flush({ timeoutMillis: request.timeoutMillis }).then((result) => {
        clearInterval(poll);
        resolve(result);
      });
    });
  }

  /**
   * Messages wait here and are handled in order, a time slice per turn of the event loop. Node hands
   * a worker up to 1000 queued messages in one go (256 000 entries of a burst): taking them in right
   * there kept the client's batches (setImmediate) and its HTTP answers waiting until the whole burst
   * was in, so nothing was sent while the app logged, nor at its exit until the deadline had passed.
   */
  const inbox: ToWorker[] = [];
  let inboxHead = 0;
  let inboxScheduled = false;
  const SLICE_MILLIS = 10;

  function handle(msg: ToWorker): void {
    switch (msg.type) {
      case 'entries':
        take(msg);
        break;
      case 'flush':
        answer(msg.id, msg.atExit === true ? flushAtExit(msg) : sink.flush({ timeoutMillis: msg.timeoutMillis }));
        break;
      case 'close':
        answer(msg.id, sink.close());
        break;
      case 'observe-requests':
        if (!relaying) relayRequests(sink, post);
        relaying = true;
        break;
      case 'exit':
        // Asynchronous: the main thread waits, this loop is free. Everything logged before the exit
        // was taken in above (chunks past the deadline only counted); requests already on the wire
        // get their answers (nothing Loki acknowledged is sent again); at the deadline the rest is counted.
        void deliverSinkAtExit(sink, msg.deadline).finally(() => {
          publishStats();
          Atomics.store(control, CONTROL.exitDone, 1);
          Atomics.notify(control, CONTROL.exitDone);
        });
        break;
    }
  }

  function runInbox(): void {
    inboxScheduled = false;
    const until = performance.now() + SLICE_MILLIS;
    while (inboxHead < inbox.length) {
      const msg = inbox[inboxHead]!;
      inbox[inboxHead++] = undefined as never; // taken: let it be collected
      handle(msg);
      if (performance.now() >= until) break;
    }
    if (inboxHead === inbox.length) {
      inbox.length = 0;
      inboxHead = 0;
    } else {
      inboxScheduled = true;
      setImmediate(runInbox);
    }
  }

  parent.on('message', (msg: ToWorker) => {
    inbox.push(msg);
    if (!inboxScheduled) {
      inboxScheduled = true;
      setImmediate(runInbox);
    }
  });
}

/**
 * Shipping logs must not slow the app: on Linux this thread takes a nice value of 10, so when the
 * cores are busy the app's threads run first and delivery uses the idle time (setpriority on a
 * thread id affects that thread alone). Elsewhere, or if refused, nothing changes.
 */
function lowerPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, 10);
  } catch {
    // Not permitted or no procfs: run at the app's priority.
  }
}
