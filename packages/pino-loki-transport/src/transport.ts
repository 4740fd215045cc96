import type { Transform } from 'node:stream';
import build from 'pino-abstract-transport';
import { createLokiClient, LokiError, type FlushResult, type LokiClient, type LokiClientStats } from '@loki-sdk/core';
import { resolveTransportOptions, unknownOptionNames, type PinoLokiOptions, type TransportSettings } from './options.js';
import { DEFAULT_LEVEL_NAMES, toLokiRecord, type MappingConfig } from './to-loki-record.js';
import { holdFlushAcknowledgements, onTransportRequest, pinoConfig, postEvent, type TransportRequest } from './worker-link.js';

/** Payload of the `lokiError` event on the stream `pino.transport()` returns. */
export interface LokiErrorEvent {
  code: string;
  message: string;
  status?: number;
  responseBody?: string;
  entries?: number;
  retryable: boolean;
}

/** Payload of the `lokiStats` event: core's counters plus the transport's. */
export interface LokiStatsEvent extends LokiClientStats {
  /** Set when the event answers a `getLokiStats()` request. */
  id?: number;
  /** Lines read from pino (blank lines included). */
  linesReceived: number;
  /** Times reading paused because too much waited for Loki. */
  backpressurePauses: number;
}

/** Payload of the `lokiFlushed` event, the answer to `flushLoki()`. */
export interface LokiFlushedEvent extends FlushResult {
  id: number;
}

/** Emitted on the stream itself (not through the worker channel) when it has closed its client. */
export interface LokiClosedEvent extends FlushResult {
  stats: LokiStatsEvent;
}

/** How long the first record waits for pino's config (levels, messageKey) before defaults apply. */
const PINO_CONFIG_WAIT_MILLIS = 1000;
/** Backpressure is checked every this many records; stats() is cheap but not free. */
const BACKPRESSURE_CHECK_EVERY = 256;
const BACKPRESSURE_POLL_MILLIS = 5;

const NOT_DELIVERED: FlushResult = { ok: false, acknowledged: 0, dropped: 0, pending: 0, timedOut: false };

function toErrorEvent(error: LokiError): LokiErrorEvent {
  const event: LokiErrorEvent = { code: error.code, message: error.message, retryable: error.retryable === true };
  if (error.status !== undefined) event.status = error.status;
  if (error.responseBody !== undefined) event.responseBody = error.responseBody;
  if (error.entries !== undefined) event.entries = error.entries;
  return event;
}

function delay(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis).unref());
}

/**
 * The pino transport: `pino.transport({ target: 'pino-loki-transport', options })`. Runs in pino's
 * worker thread; reads pino's NDJSON, maps each line (to-loki-record.ts) and pushes it to a core
 * client. Never throws and never errors the stream: failures go to the `lokiError` event.
 */
export default function pinoLokiTransport(options: PinoLokiOptions = {}): Transform {
  let printErrors = options !== null && typeof options === 'object' && options.printErrors === true;
  let stream: Transform | undefined;
  const report = (error: LokiError): void => {
    const event = toErrorEvent(error);
    postEvent('lokiError', event);
    // Also on the stream itself, for in-process users (the CLI). Deferred, so errors found while
    // building are seen by listeners attached right after the factory returns.
    process.nextTick(() => stream?.emit('lokiError', event));
    if (printErrors) console.error(`[pino-loki-transport] ${error.code}: ${error.message}`);
  };

  let client: LokiClient | undefined;
  let settings: TransportSettings | undefined;
  try {
    const resolved = resolveTransportOptions(options, report);
    settings = resolved.settings;
    printErrors = settings.printErrors;
    client = createLokiClient(resolved.core);
  } catch (error) {
    // Unusable options must not crash pino's worker (that would end every target): we report and
    // discard, and the stats show it.
    report(error instanceof LokiError ? error : new LokiError('ERR_LOKI_INVALID_OPTIONS', String(error)));
  }
  for (const name of unknownOptionNames(options)) {
    report(new LokiError('ERR_LOKI_INVALID_OPTIONS', `unknown option ${name} is ignored`));
  }

  const config = pinoConfig(PINO_CONFIG_WAIT_MILLIS);
  const mapping: MappingConfig = {
    lineFormat: settings?.lineFormat ?? 'json',
    labelPrefix: settings?.labelPrefix ?? 'label_',
    propsToLabels: settings?.propsToLabels ?? [],
    metadataKey: settings?.metadataKey,
    timeKey: settings?.timeKey ?? 'time',
    messageKey: settings?.messageKey ?? 'msg',
    errorKey: settings?.errorKey ?? 'err',
    levelNames: DEFAULT_LEVEL_NAMES,
    levelMap: settings?.levelMap,
    replaceTimestamp: settings?.replaceTimestamp ?? false,
  };
  let configApplied = false;
  const applyPinoConfig = (): void => {
    configApplied = true;
    const pino = config.get();
    if (pino === undefined) return;
    if (pino.levels?.labels !== undefined) mapping.levelNames = { ...pino.levels.labels };
    if (settings?.messageKey === undefined && typeof pino.messageKey === 'string') mapping.messageKey = pino.messageKey;
    if (settings?.errorKey === undefined && typeof pino.errorKey === 'string') mapping.errorKey = pino.errorKey;
  };

  const counters = { linesReceived: 0, backpressurePauses: 0 };
  let consumed = 0;
  let loopDone = false;
  let consumeWaiters: Array<{ target: number; resolve: () => void }> = [];
  const settleConsumeWaiters = (): void => {
    if (consumeWaiters.length === 0) return;
    const ready = consumeWaiters.filter((w) => loopDone || w.target <= consumed);
    if (ready.length === 0) return;
    consumeWaiters = consumeWaiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  };

  let zeroStats: LokiClientStats | undefined;
  const stats = (id?: number): LokiStatsEvent => {
    const base = client?.stats() ?? (zeroStats ??= emptyStats());
    const event: LokiStatsEvent = { ...base, ...counters };
    if (id !== undefined) event.id = id;
    return event;
  };

  /** Waits while too much waits for a Loki that answers; a Loki that does not answer is core's buffer's job. */
  const relieve = async (c: LokiClient, s: TransportSettings): Promise<void> => {
    let current = c.stats();
    if (current.bufferedEntries < s.highWaterMarkEntries && current.bufferedBytes < s.highWaterMarkBytes) return;
    counters.backpressurePauses++;
    const lowEntries = Math.floor(s.highWaterMarkEntries / 2);
    const lowBytes = Math.floor(s.highWaterMarkBytes / 2);
    while (!c.closed && !current.offline && (current.bufferedEntries > lowEntries || current.bufferedBytes > lowBytes)) {
      await delay(BACKPRESSURE_POLL_MILLIS);
      current = c.stats();
    }
  };

  const consume = async (source: AsyncIterable<string>): Promise<void> => {
    let sinceCheck = 0;
    try {
      for await (const line of source) {
        if (!configApplied) {
          await config.ready;
          applyPinoConfig();
        }
        if (client !== undefined) {
          try {
            const record = toLokiRecord(line, mapping);
            if (record !== undefined) client.push(record);
          } catch (error) {
            report(new LokiError('ERR_LOKI_INVALID_RECORD', `pino line could not be mapped: ${(error as Error)?.message ?? String(error)}`));
          }
          if (settings !== undefined && ++sinceCheck >= BACKPRESSURE_CHECK_EVERY) {
            sinceCheck = 0;
            await relieve(client, settings);
          }
        }
        consumed++;
        settleConsumeWaiters();
      }
    } catch {
      // The source was destroyed; close() still runs through pino-abstract-transport.
    } finally {
      loopDone = true;
      settleConsumeWaiters();
    }
  };

  let source: Transform | undefined;
  /** Resolves once every line written to the stream before the call has been pushed to core. */
  const drainPipeline = async (): Promise<void> => {
    const s = source;
    if (s === undefined) return;
    if (!s.writableEnded && !s.destroyed) {
      // An empty write is a barrier: its callback runs after every earlier chunk went through split2.
      await new Promise<void>((resolve) => {
        try {
          s.write('', () => resolve());
        } catch {
          resolve();
        }
      });
    }
    const target = counters.linesReceived;
    if (loopDone || consumed >= target) return;
    await new Promise<void>((resolve) => consumeWaiters.push({ target, resolve }));
  };

  const flushToLoki = async (timeoutMillis?: number): Promise<FlushResult> => {
    try {
      await drainPipeline();
      if (client === undefined) return NOT_DELIVERED;
      return await client.flush(timeoutMillis === undefined ? {} : { timeoutMillis });
    } catch {
      return NOT_DELIVERED;
    }
  };

  const onRequest = (request: TransportRequest): void => {
    if (request.code === 'LOKI_STATS') {
      postEvent('lokiStats', stats(request.id));
      return;
    }
    void flushToLoki(request.timeoutMillis).then((result) => {
      const event: LokiFlushedEvent = { ...result, id: request.id };
      postEvent('lokiFlushed', event);
    });
  };
  const stopRequests = onTransportRequest(onRequest);
  const releaseHold = holdFlushAcknowledgements(() => flushToLoki());
  let statsTimer: NodeJS.Timeout | undefined;
  if (settings !== undefined && settings.statsIntervalMillis > 0) {
    statsTimer = setInterval(() => postEvent('lokiStats', stats()), settings.statsIntervalMillis);
    statsTimer.unref();
  }

  stream = build(
    (s) => {
      source = s;
      // thread-stream (≥ 4.1) calls the destination's flush() for `logger.flush(cb)`; a zero-argument
      // function returning a promise is awaited. It must never reject (that would end the worker).
      (s as Transform & { flush?: () => Promise<void> }).flush = () => flushToLoki().then(() => undefined);
      return consume(s as AsyncIterable<string>);
    },
    {
      parse: 'lines',
      // Count here (synchronously, in split2) so a flush knows how many lines it waits for; the
      // line itself is parsed once, in the mapping.
      parseLine: () => {
        counters.linesReceived++;
        return PARSED;
      },
      metadata: false,
      close: async () => {
        if (statsTimer !== undefined) clearInterval(statsTimer);
        stopRequests();
        releaseHold();
        const result = client === undefined ? NOT_DELIVERED : await client.close();
        // For in-process users (the CLI): the final outcome, before the stream's 'close'.
        const closed: LokiClosedEvent = { ...result, stats: stats() };
        stream?.emit('lokiClosed', closed);
      },
    },
  );
  return stream;
}

const PARSED = Object.freeze({});

/** Zero counters of core's shape, for a transport whose options were unusable. */
function emptyStats(): LokiClientStats {
  // A client that is never used gives the exact shape of core's stats, whatever core adds to it.
  const idle = createLokiClient({ exitHook: false, onError: () => {} });
  const zero = idle.stats();
  void idle.close();
  return zero;
}
