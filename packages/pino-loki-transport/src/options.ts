import { CLIENT_OPTION_NAMES, DEFAULTS, LokiOptionsError, type LokiClientOptions, type LokiError, type LokiTlsOptions } from '@loki-sdk/core';
import { TRANSPORT_DEFAULTS } from './defaults.js';
import { inPinoWorker } from './worker-link.js';

/** Core options that can cross into pino's worker: everything but functions and the exit hook. */
type CoreOptions = Omit<LokiClientOptions, 'onError' | 'exitHook'>;

/**
 * Options of the transport. They travel to pino's worker thread by structured clone, so every value
 * is plain data: no functions, no class instances (a Buffer arrives as a Uint8Array and is handled).
 */
export interface PinoLokiOptions extends CoreOptions {
  /** `json`: the line is the pino record as JSON (minus label fields). `message`: the message alone, other fields as structured metadata. Default `json`. */
  lineFormat?: 'json' | 'message';
  /** Fields whose name starts with this become stream labels (prefix cut) and leave the line. `''` turns it off. Default `label_`. */
  labelPrefix?: string;
  /** Fields (dotted paths allowed, e.g. `req.method`) copied into stream labels; they stay in a JSON line. Default none. */
  propsToLabels?: string[];
  /** A field holding an object whose entries go to structured metadata (and leave the line). Default none. */
  metadataKey?: string;
  /** Field with the record's time. Default `time`. */
  timeKey?: string;
  /** Message field. Default: pino's `messageKey` (sent by pino to the worker), else `msg`. */
  messageKey?: string;
  /** Error field. Default: pino's `errorKey`, else `err`. */
  errorKey?: string;
  /** Renames level labels, by pino level name or number: `{ warn: 'warning', 60: 'critical' }`. Default none. */
  levelMap?: Record<string, string>;
  /** Ignore the record's time and stamp entries when the transport reads them. Default false. */
  replaceTimestamp?: boolean;
  /** Also print delivery errors with console.error (in the worker, which pino pipes to stderr). Default false. */
  printErrors?: boolean;
  /** Emit a `lokiStats` event on the transport stream this often; 0 = only on request. Default 0. */
  statsIntervalMillis?: number;
  /** Stop reading from pino while this many entries wait for Loki (and Loki answers), so bursts wait in pino's buffer instead of being dropped. Default 20000 (at most half of `bufferMaxEntries`). */
  highWaterMarkEntries?: number;
}


/** The transport's own options, resolved. */
export interface TransportSettings {
  lineFormat: 'json' | 'message';
  labelPrefix: string;
  propsToLabels: string[];
  metadataKey: string | undefined;
  timeKey: string;
  messageKey: string | undefined;
  errorKey: string | undefined;
  levelMap: Record<string, string> | undefined;
  replaceTimestamp: boolean;
  printErrors: boolean;
  statsIntervalMillis: number;
  highWaterMarkEntries: number;
  highWaterMarkBytes: number;
}

const TRANSPORT_KEYS = new Set([
  'lineFormat',
  'labelPrefix',
  'propsToLabels',
  'metadataKey',
  'timeKey',
  'messageKey',
  'errorKey',
  'levelMap',
  'replaceTimestamp',
  'printErrors',
  'statsIntervalMillis',
  'highWaterMarkEntries',
]);

// Core's own list, less what the worker decides itself (the exit hook) or cannot receive (a function).
const CORE_KEYS = new Set<string>(CLIENT_OPTION_NAMES.filter((name) => name !== 'exitHook' && name !== 'onError'));

/** Keys pino and thread-stream add to a target's options on their way into the worker. */
const INJECTED_KEYS = new Set(['$context', 'pinoWillSendConfig', 'levels', 'dedupe']);

/** pino-loki option names, with what to use instead, so a migration mistake is reported, not silent. */
const PINO_LOKI_HINTS: Record<string, string> = {
  batching: 'batchIntervalMillis (milliseconds) and bufferMaxEntries',
  interval: 'batchIntervalMillis (milliseconds)',
  timeout: 'requestTimeoutMillis',
  silenceErrors: 'nothing (errors are never printed unless printErrors is true)',
  endpoint: 'url (the full push URL)',
  structuredMetaKey: 'metadataKey',
  logFormat: "lineFormat: 'message'",
  messageField: "lineFormat: 'message' and messageKey",
  convertArrays: 'nothing (arrays stay arrays)',
};

/** Names that neither core nor the transport knows: reported once through the error path. */
export function unknownOptionNames(options: object | undefined): string[] {
  if (options === undefined || options === null || typeof options !== 'object') return [];
  return Object.keys(options)
    .filter((key) => !CORE_KEYS.has(key) && !TRANSPORT_KEYS.has(key) && !INJECTED_KEYS.has(key))
    .map((key) => (PINO_LOKI_HINTS[key] === undefined ? key : `${key} (pino-loki option; use ${PINO_LOKI_HINTS[key]})`));
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new LokiOptionsError(`${name} must be a non-empty string`);
  return value;
}

function nonNegativeInt(name: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new LokiOptionsError(`${name} must be a number >= ${min}, got ${String(value)}`);
  return Math.floor(value);
}

/** A structured clone turns Buffers into plain Uint8Arrays; TLS wants Buffers or strings. */
function toBuffer<T>(value: T): T | Buffer {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

function normalizeTls(tls: LokiTlsOptions | undefined): LokiTlsOptions | undefined {
  if (tls === undefined || tls === null || typeof tls !== 'object') return tls;
  const out: LokiTlsOptions = { ...tls };
  if (out.ca !== undefined) out.ca = Array.isArray(out.ca) ? out.ca.map(toBuffer) : toBuffer(out.ca);
  if (out.cert !== undefined) out.cert = toBuffer(out.cert);
  if (out.key !== undefined) out.key = toBuffer(out.key);
  return out;
}

/** Splits the options into core's and ours, validating ours. Throws LokiOptionsError. */
export function resolveTransportOptions(
  options: PinoLokiOptions | undefined,
  onError: (error: LokiError) => void,
): { core: LokiClientOptions; settings: TransportSettings } {
  const opts = (options ?? {}) as PinoLokiOptions & Record<string, unknown>;
  if (typeof opts !== 'object' || opts === null) throw new LokiOptionsError('options must be an object');

  const core: LokiClientOptions & Record<string, unknown> = {};
  for (const [key, value] of Object.entries(opts)) {
    if (CORE_KEYS.has(key) && value !== undefined) core[key] = value;
  }
  // In pino's worker, pino ends the worker through our close() at process exit, so core's own
  // process hooks would have nothing to do (and a worker's 'exit' is not the app's). Elsewhere (the
  // CLI, a direct in-process stream) they are the safety net at process end.
  core.exitHook = !inPinoWorker();
  core.onError = onError;
  const tls = normalizeTls(opts.tls);
  if (tls !== undefined) core.tls = tls;

  const lineFormat = opts.lineFormat ?? TRANSPORT_DEFAULTS.lineFormat;
  if (lineFormat !== 'json' && lineFormat !== 'message') throw new LokiOptionsError(`lineFormat must be one of json, message, got ${String(lineFormat)}`);
  const labelPrefix = opts.labelPrefix ?? TRANSPORT_DEFAULTS.labelPrefix;
  if (typeof labelPrefix !== 'string') throw new LokiOptionsError('labelPrefix must be a string');
  const propsToLabels = opts.propsToLabels ?? [];
  if (!Array.isArray(propsToLabels) || propsToLabels.some((p) => typeof p !== 'string' || p === '')) {
    throw new LokiOptionsError('propsToLabels must be an array of field names');
  }
  const levelMap = opts.levelMap;
  if (levelMap !== undefined && (levelMap === null || typeof levelMap !== 'object' || Object.values(levelMap).some((v) => typeof v !== 'string'))) {
    throw new LokiOptionsError('levelMap must map level names or numbers to strings');
  }

  const bufferMaxEntries = typeof opts.bufferMaxEntries === 'number' ? opts.bufferMaxEntries : DEFAULTS.bufferMaxEntries;
  const bufferMaxBytes = typeof opts.bufferMaxBytes === 'number' ? opts.bufferMaxBytes : DEFAULTS.bufferMaxBytes;
  const highWaterMarkEntries = Math.max(
    1,
    Math.min(nonNegativeInt('highWaterMarkEntries', opts.highWaterMarkEntries, TRANSPORT_DEFAULTS.highWaterMarkEntries, 1), Math.floor(bufferMaxEntries / 2)),
  );

  return {
    core,
    settings: {
      lineFormat,
      labelPrefix,
      propsToLabels: [...propsToLabels],
      metadataKey: optionalString('metadataKey', opts.metadataKey),
      timeKey: optionalString('timeKey', opts.timeKey) ?? TRANSPORT_DEFAULTS.timeKey,
      messageKey: optionalString('messageKey', opts.messageKey),
      errorKey: optionalString('errorKey', opts.errorKey),
      levelMap: levelMap === undefined ? undefined : { ...levelMap },
      replaceTimestamp: opts.replaceTimestamp === true,
      printErrors: opts.printErrors === true,
      statsIntervalMillis: nonNegativeInt('statsIntervalMillis', opts.statsIntervalMillis, TRANSPORT_DEFAULTS.statsIntervalMillis),
      highWaterMarkEntries,
      highWaterMarkBytes: Math.max(1024, Math.floor(bufferMaxBytes / 2)),
    },
  };
}
