import type { EventEmitter } from 'node:events';
import { DROP_REASONS, type FlushResult } from '@loki-sdk/core/adapter';
import type { LokiFlushedEvent, LokiStatsEvent } from './events.js';
import { MESSAGE_CONTEXT, type TransportRequest } from './worker-link.js';

/**
 * Helpers for the main thread, used with the stream `pino.transport()` returned. They talk to the
 * worker through thread-stream's own channel: `stream.emit('message', msg)` is forwarded to the
 * worker (that is how pino sends its config), and the worker answers with an event on the stream.
 * Nothing here runs unless called: the logging path of the main thread stays pino's alone.
 */
export interface TransportStream extends EventEmitter {
  flush?: (cb: (err?: Error) => void) => void;
  /** thread-stream: lines wait in the main thread for room in the shared buffer. */
  readonly writableNeedDrain?: boolean;
}

/**
 * Core's FlushResult, as the worker's client answered it: for every entry logged before the call,
 * whenever it was settled, `acknowledged + dropped + pending`, matching `getLokiStats()`. `pending`
 * also counts lines the worker had read but not yet handed to its client at the deadline.
 */
export type FlushLokiResult = FlushResult;

const NO_REASONS = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as FlushResult['droppedByReason'];

// Ids only need to be unique per stream; a random start keeps two copies of this module apart.
let nextId = Math.floor(Math.random() * 1e9);

/** Listens for the answer first, then sends the request, so a fast answer cannot be missed. */
function ask<T extends { id?: number }>(
  stream: TransportStream,
  code: TransportRequest['code'],
  event: string,
  timeoutMillis: number,
  graceMillis = 250,
): Promise<T | undefined> {
  const id = ++nextId;
  // A little longer than the worker's own deadline, so its timed-out answer still arrives.
  const answer = waitForAnswer<T>(stream, event, id, timeoutMillis + graceMillis);
  tell(stream, { code, context: MESSAGE_CONTEXT, id, timeoutMillis });
  return answer;
}

function tell(stream: TransportStream, message: TransportRequest): void {
  try {
    stream.emit('message', message);
  } catch {
    // A stream that cannot take the message simply never answers; the deadline resolves it.
  }
}

function waitForAnswer<T extends { id?: number }>(
  stream: TransportStream,
  event: string,
  id: number,
  timeoutMillis: number,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const onEvent = (payload: T): void => {
      if (payload?.id !== id) return;
      finish(payload);
    };
    const onClose = (): void => finish(undefined);
    // Not unref'd: the caller awaits this answer, and pino unrefs the worker, so an unref'd wait
    // would let the process end before the answer came (thread-stream's flush(cb) refs likewise).
    const timer = setTimeout(() => finish(undefined), timeoutMillis);
    function finish(value: T | undefined): void {
      clearTimeout(timer);
      stream.off(event, onEvent);
      stream.off('close', onClose);
      resolve(value);
    }
    stream.on(event, onEvent);
    stream.once('close', onClose);
  });
}

/**
 * Resolves when everything logged before the call is acknowledged by Loki, or at the deadline.
 * Never rejects. Works with every thread-stream version (`logger.flush(cb)` reaches Loki only with
 * thread-stream ≥ 4.1, i.e. pino 10). With several pino-loki-transport targets in one
 * `pino.transport()`, the first answer wins.
 */
export async function flushLoki(
  stream: TransportStream,
  options: { timeoutMillis?: number } = {},
): Promise<FlushLokiResult> {
  const timeoutMillis = options.timeoutMillis ?? 30_000;
  const deadline = Date.now() + timeoutMillis;
  // Kept back from the steps before asking the worker, so its answer (with its counts) still comes
  // by the deadline when they take all of it.
  const reserve = Math.min(250, Math.floor(timeoutMillis / 4));
  const stepsDeadline = deadline - reserve;
  // First the main thread's buffer into the worker (thread-stream's flush), then ask the worker.
  // thread-stream's flush() re-checks with setImmediate until its main-thread buffer is empty: after a
  // burst that is a busy loop for as long as the worker takes to read megabytes, a core taken from the
  // worker and Loki. Its 'drain' event marks the same point without spinning, so wait for it first.
  const reached = (await drained(stream, stepsDeadline)) && (await intoWorker(stream, stepsDeadline - Date.now()));
  const result = await ask<LokiFlushedEvent>(
    stream,
    'LOKI_FLUSH',
    'lokiFlushed',
    Math.max(0, deadline - Date.now()),
    reserve + 250,
  );
  // No answer: the worker is gone or stuck. Nothing is known of the entries; none is claimed delivered.
  if (result === undefined)
    return {
      ok: false,
      acknowledged: 0,
      dropped: 0,
      droppedByReason: { ...NO_REASONS },
      partiallyRejected: 0,
      pending: 0,
      timedOut: true,
    };
  const { id: _id, ...answer } = result;
  // Lines still in the main thread or in thread-stream's buffer at the deadline were not counted.
  return reached ? answer : { ...answer, ok: false, timedOut: true };
}

/**
 * thread-stream's flush(cb): the lines into the worker. With pino 10 the worker then flushes our
 * stream; it is told this flush's deadline first, so that flush does not outlast it (holding the
 * worker's flush queue, and the process, for the default deadline). True when it answered in time.
 */
function intoWorker(stream: TransportStream, timeoutMillis: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (typeof stream.flush !== 'function') {
      resolve(true);
      return;
    }
    const millis = Math.max(0, timeoutMillis);
    tell(stream, { code: 'LOKI_FLUSH_DEADLINE', context: MESSAGE_CONTEXT, id: ++nextId, timeoutMillis: millis });
    const timer = setTimeout(() => resolve(false), millis);
    try {
      stream.flush((err) => {
        clearTimeout(timer);
        resolve(err === undefined || err === null);
      });
    } catch {
      clearTimeout(timer);
      resolve(false);
    }
  });
}

/** Resolves true once thread-stream no longer holds lines back (at once when it holds none). */
function drained(stream: TransportStream, deadline: number): Promise<boolean> {
  if (stream.writableNeedDrain !== true) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), Math.max(1, deadline - Date.now()));
    const onDrain = (): void => finish(true);
    // A stream that closes instead goes on to flush(), which reports the error.
    const onClose = (): void => finish(true);
    function finish(value: boolean): void {
      clearTimeout(timer);
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      resolve(value);
    }
    stream.once('drain', onDrain);
    stream.once('close', onClose);
  });
}

/** The worker's counters (core's plus the transport's), or undefined when no answer came in time. */
export async function getLokiStats(
  stream: TransportStream,
  options: { timeoutMillis?: number } = {},
): Promise<LokiStatsEvent | undefined> {
  return ask<LokiStatsEvent>(stream, 'LOKI_STATS', 'lokiStats', options.timeoutMillis ?? 5000);
}

/** Asks the worker to post a `lokiRequest` event at the end of each push request (registerLokiMetrics). */
export function observeRequests(stream: TransportStream): void {
  tell(stream, { code: 'LOKI_OBSERVE_REQUESTS', context: MESSAGE_CONTEXT, id: ++nextId });
}
