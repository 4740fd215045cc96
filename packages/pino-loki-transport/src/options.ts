import {
  checkClientOptions,
  checkSchemaOptions,
  CLIENT_OPTION_NAMES,
  DEFAULTS,
  describeValue,
  lineFormatOf,
  LokiOptionsError,
  unknownOptionsError,
  type LokiClientOptions,
  type LineFormatName,
  type LokiError,
  type LokiTlsOptions,
} from '@loki-sdk/core/adapter';
import { TRANSPORT_DEFAULTS } from './defaults.js';
import { PINO_OPTION_SCHEMA } from './option-schema.js';
import { PINO_LOKI_NAMES, translatePinoLokiOptions } from './pino-loki-options.js';
import { inPinoWorker } from './worker-link.js';

/** Core options that can cross into pino's worker: everything but functions and the exit hook. */
type CoreOptions = Omit<LokiClientOptions, 'onError' | 'exitHook'>;

/**
 * Options of the transport. They travel to pino's worker thread by structured clone, so every value
 * is plain data: no functions, no class instances (a Buffer arrives as a Uint8Array and is handled).
 */
export interface PinoLokiOptions extends CoreOptions {
  /**
   * `json`: the line is the pino record as JSON (minus label fields). `message`: the message alone, other fields as
   * structured metadata (`metadata`, winston's name for it, is accepted too). Default `json`.
   */
  lineFormat?: Exclude<LineFormatName, 'text'>;
  /**
   * Fields whose name starts with this become stream labels (prefix cut) and leave the line. `''` turns it off.
   * Default `label_`.
   */
  labelPrefix?: string;
  /**
   * Fields (dotted paths allowed, e.g. `req.method`) copied into stream labels; they stay in a JSON line.
   * Default none.
   */
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
  /**
   * The record's `hostname` field becomes the `hostname` label and leaves the line (pino-loki's behaviour). Default
   * false; true for a config using pino-loki's names.
   */
  hostnameLabel?: boolean;
  /**
   * Arrays in a JSON line become objects keyed by index, `["a"]` → `{"0":"a"}` (pino-loki's `convertArrays`). Default
   * false.
   */
  convertArrays?: boolean;
  /**
   * The line from a template, pino-loki's `logFormat`: `{path}` is the record's field (dotted paths, `{lokilevel}` the
   * level label), missing or empty ones `''`. Default none (`lineFormat` applies).
   */
  logFormat?: string;
  /** Ignore the record's time and stamp entries when the transport reads them. Default false. */
  replaceTimestamp?: boolean;
  /**
   * Delivery errors on stderr: by default one line per error code (the first of each); `true`:
   * every error; `false`: none (the `lokiError` event still fires). Written synchronously, so they
   * reach stderr also while the process exits.
   */
  printErrors?: boolean;
  /** Emit a `lokiStats` event on the transport stream this often; 0 = only on request. Default 0. */
  statsIntervalMillis?: number;
  /**
   * Stop reading from pino while this many entries wait for Loki (and Loki answers), so bursts wait in pino's buffer
   * instead of being dropped. Default 20000 (at most half of `bufferMaxEntries`).
   */
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
  hostnameLabel: boolean;
  convertArrays: boolean;
  logFormat: string | undefined;
  printErrors: PrintErrors;
  statsIntervalMillis: number;
  highWaterMarkEntries: number;
  highWaterMarkBytes: number;
}

/** The transport's own option names (the CLI derives its flags from these and core's). */
export const TRANSPORT_OPTION_NAMES = Object.keys(PINO_OPTION_SCHEMA) as ReadonlyArray<
  Exclude<keyof PinoLokiOptions, keyof CoreOptions>
>;

// Core's own list, less what the worker decides itself (the exit hook) or cannot receive (a function).
const CORE_KEYS = new Set<string>(CLIENT_OPTION_NAMES.filter((name) => name !== 'exitHook' && name !== 'onError'));

/** Keys pino and thread-stream add to a target's options on their way into the worker. */
const INJECTED_KEYS = ['$context', 'pinoWillSendConfig', 'levels', 'dedupe'];

const KNOWN_NAMES = new Set<string>([...CORE_KEYS, ...TRANSPORT_OPTION_NAMES, ...INJECTED_KEYS, ...PINO_LOKI_NAMES]);
const HINTS: Record<string, string> = {
  exitHook: 'not used here: pino ends its worker at exit, and this transport delivers then',
  onError: "functions cannot reach pino's worker: listen to the 'lokiError' event of the transport stream",
};

/** One report naming every option neither core nor the transport knows (with a "did you mean"), or undefined. */
export function unknownOptions(options: object | undefined): LokiError | undefined {
  return unknownOptionsError(options, KNOWN_NAMES, HINTS);
}

function nonNegativeInt(value: unknown, fallback: number): number {
  return typeof value === 'number' ? Math.floor(value) : fallback;
}

/** A structured clone turns Buffers into plain Uint8Arrays; TLS wants Buffers or strings. */
function toBuffer<T>(value: T): T | Buffer {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
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

/**
 * How delivery errors reach stderr (synchronously: the worker's own stderr would reach the process
 * through the main thread, which does not read it while it waits for the worker at exit):
 * `first`: one line per error code (the default); `all`: every error; `none`: nothing.
 */
export type PrintErrors = 'first' | 'all' | 'none';

/**
 * `printErrors` (or pino-loki's `silenceErrors`) as a PrintErrors, read even from options that are
 * otherwise unusable.
 */
export function printErrorsOf(options: unknown): PrintErrors {
  if (options === null || typeof options !== 'object') return 'first';
  const { printErrors, silenceErrors } = options as { printErrors?: unknown; silenceErrors?: unknown };
  if (printErrors === true) return 'all';
  if (printErrors === false || (printErrors === undefined && silenceErrors === true)) return 'none';
  return 'first';
}

/**
 * Throws the LokiOptionsError these options would meet, ours and core's, without starting
 * anything: for the CLI, which must refuse a bad value before it reads stdin.
 */
export function checkTransportOptions(options: PinoLokiOptions): void {
  checkClientOptions(resolveTransportOptions(options, () => {}).core);
}

/** Splits the options into core's and ours, pino-loki's names translated, ours validated. Throws LokiOptionsError. */
export function resolveTransportOptions(
  options: PinoLokiOptions | undefined,
  onError: (error: LokiError) => void,
): { core: LokiClientOptions; settings: TransportSettings } {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new LokiOptionsError(`options must be an object, got ${describeValue(options)}`);
  }
  const opts = translatePinoLokiOptions((options ?? {}) as Record<string, unknown>) as PinoLokiOptions &
    Record<string, unknown>;
  checkSchemaOptions(PINO_OPTION_SCHEMA, opts);

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

  const bufferMaxEntries =
    typeof opts.bufferMaxEntries === 'number' ? opts.bufferMaxEntries : DEFAULTS.bufferMaxEntries;
  const bufferMaxBytes = typeof opts.bufferMaxBytes === 'number' ? opts.bufferMaxBytes : DEFAULTS.bufferMaxBytes;
  const highWaterMarkEntries = Math.max(
    1,
    Math.min(
      nonNegativeInt(opts.highWaterMarkEntries, TRANSPORT_DEFAULTS.highWaterMarkEntries),
      Math.floor(bufferMaxEntries / 2),
    ),
  );

  return {
    core,
    settings: {
      lineFormat: lineFormatOf<'json' | 'message'>(opts.lineFormat) ?? TRANSPORT_DEFAULTS.lineFormat,
      labelPrefix: opts.labelPrefix ?? TRANSPORT_DEFAULTS.labelPrefix,
      propsToLabels: [...(opts.propsToLabels ?? [])],
      metadataKey: opts.metadataKey,
      timeKey: opts.timeKey ?? TRANSPORT_DEFAULTS.timeKey,
      messageKey: opts.messageKey,
      errorKey: opts.errorKey,
      levelMap: opts.levelMap === undefined ? undefined : { ...opts.levelMap },
      replaceTimestamp: opts.replaceTimestamp === true,
      hostnameLabel: opts.hostnameLabel === true,
      convertArrays: opts.convertArrays === true,
      logFormat: opts.logFormat,
      printErrors: printErrorsOf(opts),
      statsIntervalMillis: nonNegativeInt(opts.statsIntervalMillis, TRANSPORT_DEFAULTS.statsIntervalMillis),
      highWaterMarkEntries,
      highWaterMarkBytes: Math.max(1024, Math.floor(bufferMaxBytes / 2)),
    },
  };
}
