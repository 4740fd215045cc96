import type { Writable } from 'node:stream';
import {
  createEntrySink,
  emptyStats,
  resolveTraceFieldNames,
  DEFAULTS,
  DROP_REASONS,
  LokiError,
  warnOncePerCode,
  writeStderrLine,
  type FlushResult,
  type LokiClientOptions,
  type LokiEntrySink,
  type LokiClientStats,
} from '@loki-sdk/core/adapter';
import { waitForRoom } from './backpressure.js';
import { relayRequests } from './request-relay.js';
import { toErrorEvent, type LokiClosedEvent, type LokiFlushedEvent, type LokiStatsEvent } from './events.js';
import { LineQueue } from './line-queue.js';
import { lineReader } from './line-reader.js';
import { LineTracker } from './line-tracker.js';
import { MapPump } from './map-pump.js';
import {
  printErrorsOf,
  resolveTransportOptions,
  unknownOptions,
  type PinoLokiOptions,
  type PrintErrors,
  type TransportSettings,
} from './options.js';
import { DEFAULT_LEVEL_NAMES, toLokiRecord, type MappingConfig } from './to-loki-record.js';
import {
  holdFlushAcknowledgements,
  onTransportRequest,
  pinoConfig,
  postEvent,
  type TransportRequest,
} from './worker-link.js';

export type { LokiClosedEvent, LokiErrorEvent, LokiFlushedEvent, LokiStatsEvent } from './events.js';

/** How long the first record waits for pino's config (levels, messageKey) before defaults apply. */
const PINO_CONFIG_WAIT_MILLIS = 1000;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const NO_REASONS = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as FlushResult['droppedByReason'];
const NOT_DELIVERED: FlushResult = {
  ok: false,
  acknowledged: 0,
  dropped: 0,
  droppedByReason: NO_REASONS,
  partiallyRejected: 0,
  pending: 0,
  timedOut: false,
};

/**
 * The pino transport: `pino.transport({ target: '@loki-sdk/pino-loki-transport', options })`. Runs in pino's
 * worker thread; reads pino's NDJSON into a queue (line-queue.ts), maps it in batches (to-loki-record.ts)
 * and pushes it to a core entry sink. Never throws and never errors the stream: failures go to the `lokiError` event.
 */
export default function pinoLokiTransport(options: PinoLokiOptions = {}): Writable {
  let printErrors: PrintErrors = printErrorsOf(options);
  let stream: Writable | undefined;
  const report = (error: LokiError): void => {
    const event = toErrorEvent(error);
    postEvent('lokiError', event);
    // Also on the stream itself, for in-process users (the CLI). Deferred, so errors found while
    // building are seen by listeners attached right after the factory returns.
    process.nextTick(() => stream?.emit('lokiError', event));
    // The worker cannot know whether the main thread listens: stderr by default, as core and winston do.
    if (printErrors === 'first') warnOncePerCode(error, 'printErrors: true prints all, false none');
    else if (printErrors === 'all') writeStderrLine(`pino-loki-transport: ${error.code}: ${error.message}`);
  };

  let client: LokiEntrySink | undefined;
  let settings: TransportSettings | undefined;
  // One report for start-up findings, so the first-per-code default shows them all.
  const findings: string[] = [];
  let resolvedCore: LokiClientOptions | undefined;
  try {
    const resolved = resolveTransportOptions(options, report);
    settings = resolved.settings;
    resolvedCore = resolved.core;
    printErrors = settings.printErrors;
    // The span was read on the app's thread (traceMixin) and is in the line: the worker's client looks for none,
    // but keeps the names (with OTLP they mark the record's own trace ids).
    client = createEntrySink(resolved.core, { captureTrace: false });
  } catch (error) {
    // Unusable options must not crash pino's worker (that would end every target): report, then
    // read and discard, so the other targets keep flowing.
    findings.push(
      `options unusable, nothing is sent to Loki: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const unknown = unknownOptions(options);
  if (unknown !== undefined) findings.push(unknown.message);
  if (findings.length > 0) report(new LokiError('ERR_LOKI_INVALID_OPTIONS', findings.join('; ')));

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
    hostnameLabel: settings?.hostnameLabel ?? false,
    convertArrays: settings?.convertArrays ?? false,
    logFormat: settings?.logFormat,
    traceFields: traceFieldList(resolvedCore?.traceContext),
  };
  let configApplied = false;
  const applyPinoConfig = (): void => {
    configApplied = true;
    const pino = config.get();
    if (pino === undefined) return;
    if (pino.levels?.labels !== undefined) mapping.levelNames = { ...pino.levels.labels };
    // Options given explicitly win over pino's.
    if (settings?.messageKey === undefined && typeof pino.messageKey === 'string') mapping.messageKey = pino.messageKey;
    if (settings?.errorKey === undefined && typeof pino.errorKey === 'string') mapping.errorKey = pino.errorKey;
  };

  const lines = new LineTracker();
  const queue = new LineQueue();
  let backpressurePauses = 0;
  let zeroStats: LokiClientStats | undefined;
  const stats = (id?: number): LokiStatsEvent => {
    const base = client?.stats() ?? (zeroStats ??= emptyStats());
    const event: LokiStatsEvent = {
      ...base,
      linesReceived: lines.consumedCount,
      linesQueued: queue.size,
      backpressurePauses,
    };
    if (id !== undefined) event.id = id;
    return event;
  };

  const mapLine = (line: string): void => {
    if (client === undefined) return;
    try {
      const entry = toLokiRecord(line.endsWith('\r') ? line.slice(0, -1) : line, mapping);
      if (entry !== undefined) client.pushEntry(entry);
    } catch (error) {
      report(
        new LokiError(
          'ERR_LOKI_INVALID_RECORD',
          `pino line could not be mapped: ${(error as Error)?.message ?? String(error)}`,
        ),
      );
    }
  };
  /** One batch of queued lines: mapped and pushed, then the backpressure check or a turn of the loop. */
  const mapBatch = async (batch: string[]): Promise<void> => {
    reader.release();
    await reader.standBack();
    if (!configApplied) {
      await config.ready;
      applyPinoConfig();
    }
    for (const line of batch) mapLine(line);
    lines.linesConsumed(batch.length);
    if (client === undefined || settings === undefined) return;
    if (await waitForRoom(client, settings.highWaterMarkEntries, settings.highWaterMarkBytes)) backpressurePauses++;
    // A turn of the event loop after every batch (also after a "pause" that found Loki offline and returned
    // at once): without it core's batches (setImmediate), its HTTP replies and the close deadline's timer
    // wait for the whole queue. Measured in a 100 000-line burst: the first request left ~270 ms after the
    // first line; with this turn, when its 5000 entries were there.
    await turn();
  };
  const pump = new MapPump(queue, mapBatch);
  /** When pino ended the stream (its exit handler, or stdin's end): the close deadline starts here. */
  let endedAt: number | undefined;
  const closeMillis =
    typeof resolvedCore?.closeTimeoutMillis === 'number'
      ? resolvedCore.closeTimeoutMillis
      : DEFAULTS.closeTimeoutMillis;
  const reader = lineReader(queue, {
    onLines: (added) => {
      lines.received += added;
      pump.wake();
    },
    onEnd: () => {
      endedAt = Date.now();
    },
    close: async () => {
      if (statsTimer !== undefined) clearInterval(statsTimer);
      stopRequests();
      releaseHold();
      // One deadline for mapping what is queued and for core's close: lines still unmapped then are given up
      // and counted in core's one close report, with what core itself could not deliver.
      const deadline = (endedAt ?? Date.now()) + closeMillis;
      const notPushed = await pump.finish(deadline);
      lines.finished();
      const result =
        client === undefined
          ? NOT_DELIVERED
          : await client.close({ timeoutMillis: Math.max(0, deadline - Date.now()), notPushed });
      // For in-process users (the CLI): the final outcome, before the stream's 'close'.
      const closed: LokiClosedEvent = { ...result, stats: stats() };
      stream?.emit('lokiClosed', closed);
    },
  });

  const source = reader.stream;
  const defaultFlushMillis =
    typeof resolvedCore?.flushTimeoutMillis === 'number'
      ? resolvedCore.flushTimeoutMillis
      : DEFAULTS.flushTimeoutMillis;
  /**
   * Everything written before the call, acknowledged by Loki, or the deadline: one deadline for
   * reading the lines in and for core's flush. Core's answer, plus the lines not yet read in as
   * pending. Never rejects.
   */
  const flushToLoki = async (timeoutMillis = defaultFlushMillis, unread = false): Promise<FlushResult> => {
    const deadline = Date.now() + timeoutMillis;
    try {
      const drained = await lines.drain(source, timeoutMillis);
      if (client === undefined) return NOT_DELIVERED;
      const result = await client.flush({ timeoutMillis: Math.max(0, deadline - Date.now()), unread });
      if (drained) return result;
      return { ...result, ok: false, pending: result.pending + lines.unconsumed, timedOut: true };
    } catch {
      return NOT_DELIVERED;
    }
  };
  /**
   * The flush thread-stream asked of our stream (logger.flush(cb) with one target). Its FLUSHED
   * answer then passes the hold below, which must not flush (and wait out the deadline) a second time.
   */
  let streamFlush: Promise<FlushResult> | undefined;
  /** flushLoki()'s deadline for the next flush thread-stream asks for (see LOKI_FLUSH_DEADLINE). */
  let nextFlushMillis: number | undefined;
  const takeNextFlushMillis = (): number | undefined => {
    const millis = nextFlushMillis;
    nextFlushMillis = undefined;
    return millis;
  };

  const onRequest = (request: TransportRequest): void => {
    if (request.code === 'LOKI_STATS') {
      postEvent('lokiStats', stats(request.id));
      return;
    }
    if (request.code === 'LOKI_OBSERVE_REQUESTS') {
      if (client !== undefined) relayRequests(client);
      return;
    }
    if (request.code === 'LOKI_FLUSH_DEADLINE') {
      nextFlushMillis = request.timeoutMillis;
      return;
    }
    void flushToLoki(request.timeoutMillis).then((result) => {
      const event: LokiFlushedEvent = { ...result, id: request.id };
      postEvent('lokiFlushed', event);
    });
  };
  const stopRequests = onTransportRequest(onRequest);
  const releaseHold = holdFlushAcknowledgements(() => {
    const done = streamFlush;
    streamFlush = undefined;
    return done ?? flushToLoki(takeNextFlushMillis(), true);
  });
  let statsTimer: NodeJS.Timeout | undefined;
  if (settings !== undefined && settings.statsIntervalMillis > 0) {
    statsTimer = setInterval(() => postEvent('lokiStats', stats()), settings.statsIntervalMillis);
    statsTimer.unref();
  }

  stream = reader.stream;
  // thread-stream (pino 10's, 4.2.1 here) calls the destination's flush() for `logger.flush(cb)` and awaits
  // the promise of a zero-argument one. It must never reject: that ends the worker.
  (stream as Writable & { flush?: () => Promise<void> }).flush = () => {
    // logger.flush(cb) hears no counts: only flushLoki()'s answer (LOKI_FLUSH) tells of losses.
    const flushing = flushToLoki(takeNextFlushMillis(), true);
    streamFlush = flushing;
    return flushing.then(() => undefined);
  };
  return stream;
}

/** The line fields lifted into structured metadata (`traceContext`), or undefined when off. */
function traceFieldList(option: LokiClientOptions['traceContext']): readonly string[] | undefined {
  let names;
  try {
    names = resolveTraceFieldNames(option);
  } catch {
    return undefined; // reported with the other unusable options
  }
  return names === false ? undefined : [names.traceId, names.spanId, names.traceFlags];
}
