import { parentPort, workerData } from 'node:worker_threads';

/**
 * The worker side of the channel to the main thread. thread-stream (pino's transport runner) turns
 * a worker's `{ code: 'EVENT', name, args }` message into `stream.emit(name, ...args)` on the stream
 * `pino.transport()` returned, and forwards `stream.emit('message', msg)` from the main thread to
 * the worker's parentPort. Outside a worker (the CLI, a direct call) all of this is inert.
 */

/** Requests the main-thread helpers send (see main-thread.ts). */
export const MESSAGE_CONTEXT = '@loki-sdk/pino-loki-transport';
/**
 * `LOKI_FLUSH_DEADLINE`: the deadline for the flush of our stream that thread-stream's flush(cb),
 * sent right after, will ask for (flushLoki() uses that flush to get the lines into the worker).
 */
/** `LOKI_OBSERVE_REQUESTS`: registerLokiMetrics listens; post a `lokiRequest` event per push request. */
export interface TransportRequest {
  code: 'LOKI_FLUSH' | 'LOKI_STATS' | 'LOKI_FLUSH_DEADLINE' | 'LOKI_OBSERVE_REQUESTS';
  context: typeof MESSAGE_CONTEXT;
  id: number;
  timeoutMillis?: number;
}

export interface PinoConfig {
  levels?: { labels?: Record<string, string>; values?: Record<string, number> };
  messageKey?: string;
  errorKey?: string;
}

/** True inside a worker started by `pino.transport()` (pino ≥ 9.1 marks its worker data). */
export function inPinoWorker(): boolean {
  const data = workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null | undefined;
  return parentPort !== null && data?.workerData?.pinoWillSendConfig === true;
}

export function postEvent(name: string, payload: unknown): void {
  if (parentPort === null) return;
  try {
    parentPort.postMessage({ code: 'EVENT', name, args: [payload] });
  } catch {
    // A closed port (the main thread is gone) is not our app's problem.
  }
}

const REQUEST_CODES: ReadonlyArray<TransportRequest['code']> = [
  'LOKI_FLUSH',
  'LOKI_STATS',
  'LOKI_FLUSH_DEADLINE',
  'LOKI_OBSERVE_REQUESTS',
];

export function onTransportRequest(listener: (request: TransportRequest) => void): () => void {
  if (parentPort === null) return () => {};
  const port = parentPort;
  const handler = (msg: unknown): void => {
    const m = msg as Partial<TransportRequest> | null;
    if (m !== null && typeof m === 'object' && m.context === MESSAGE_CONTEXT && typeof m.id === 'number') {
      if (REQUEST_CODES.includes(m.code as never)) listener(m as TransportRequest);
    }
  };
  port.on('message', handler);
  return () => port.off('message', handler);
}

/**
 * pino posts `{ code: 'PINO_CONFIG', config: { levels, messageKey, errorKey } }` when the logger is
 * built. We listen ourselves instead of pino-abstract-transport's `expectPinoConfig`, which waits
 * forever when the config never comes (a transport wrapped in a main-thread multistream): here the
 * wait is bounded and the defaults apply after it.
 */
export function pinoConfig(timeoutMillis: number): { get: () => PinoConfig | undefined; ready: Promise<void> } {
  let config: PinoConfig | undefined;
  if (!inPinoWorker() || parentPort === null) return { get: () => undefined, ready: Promise.resolve() };
  const port = parentPort;
  const ready = new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      port.off('message', handler);
      resolve();
    };
    const handler = (msg: unknown): void => {
      const m = msg as { code?: unknown; config?: unknown } | null;
      if (
        m !== null &&
        typeof m === 'object' &&
        m.code === 'PINO_CONFIG' &&
        m.config !== null &&
        typeof m.config === 'object'
      ) {
        config = m.config;
        done();
      }
    };
    const timer = setTimeout(done, timeoutMillis);
    timer.unref();
    port.on('message', handler);
  });
  return { get: () => config, ready };
}

type FlushHolder = () => Promise<unknown>;
const holders = new Set<FlushHolder>();
let holdInstalled = false;

/**
 * Makes `logger.flush(cb)` wait for Loki when pino runs several targets in one worker. thread-stream
 * (≥ 4.1) answers a flush request with `{ code: 'FLUSHED', context: 'thread-stream', id }` after
 * flushing its destination; with several targets that destination is pino's multistream wrapper,
 * which cannot reach us. So that one answer is held back until every transport of ours in this
 * worker has flushed. Every other message passes untouched. With a single target thread-stream
 * calls our stream's own `flush()` first and the hold finds nothing left to wait for.
 */
export function holdFlushAcknowledgements(holder: FlushHolder): () => void {
  if (parentPort === null) return () => {};
  if (!holdInstalled) {
    holdInstalled = true;
    const port = parentPort;
    // Always called as original.call(port, ...) below.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = port.postMessage;
    port.postMessage = function postMessage(this: typeof port, msg: unknown, transfer?: unknown): void {
      const m = msg as { code?: unknown; context?: unknown } | null;
      if (
        holders.size > 0 &&
        m !== null &&
        typeof m === 'object' &&
        m.code === 'FLUSHED' &&
        m.context === 'thread-stream'
      ) {
        const send = (): void => {
          try {
            original.call(port, msg, transfer as never);
          } catch {
            // Port closed meanwhile: nobody waits for this answer any more.
          }
        };
        Promise.all([...holders].map((h) => h())).then(send, send);
        return;
      }
      original.call(port, msg, transfer as never);
    } as typeof port.postMessage;
  }
  holders.add(holder);
  return () => holders.delete(holder);
}
