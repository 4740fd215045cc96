import { zeroDropCounts } from './client-types.js';
import type { FlushResult, LokiClientStats } from './client.js';
import { LokiOptionsError } from './errors.js';
import { describeValue, optionChecks } from './option-checks.js';
import { unknownOptionsError } from './option-names.js';
import { CLIENT_OPTION_SCHEMA } from './client-option-schema.js';
import { replacedNameHints } from './option-schema.js';
import { CLIENT_OPTION_NAMES, defaultOnError, type LokiClientOptions } from './options.js';
import type { LokiRecord } from './record.js';
import { startSdkSink, type SdkSink } from './sdk-sink.js';

/**
 * The direct API of our Python predecessor (loki-sdk-py), in TypeScript form: `initSdk()` then
 * `info()`, `error()`, ... with no logging framework.
 */
export interface SdkOptions extends Omit<
  LokiClientOptions,
  | 'url'
  | 'host'
  | 'batchMaxEntries'
  | 'batchIntervalMillis'
  | 'retryMaxAttempts'
  | 'offlineBuffer'
  | 'offlineBufferMaxEntries'
> {
  /** Required. Becomes the `app` label. */
  appName: string;
  /** Becomes the `environment` label. Default `production`. */
  environment?: string;
  /** Default `{ loki: 'http://localhost:3100/loki/api/v1/push' }`. A base URL (no path, e.g. `http://localhost:3100`) works too: the push path is appended. */
  endpoints?: { loki?: string };
  /**
   * true: calls return at once and entries go out in background batches. false: each call sends at once and returns a
   * promise settled when Loki acknowledged (or failed). Default true.
   */
  useSendBeacon?: boolean;
  /** Keep entries while Loki is unreachable and send them when it returns. Default true. */
  enableOfflineBuffer?: boolean;
  /** Entries that trigger a send. Default 1000. */
  bufferSize?: number;
  /**
   * Most entries kept while Loki is unreachable (oldest dropped beyond, counted). With Loki up, a burst has the whole
   * buffer (`bufferMaxEntries`, default 1000000, and `bufferMaxBytes`, default 64 MiB). Default 10000.
   */
  offlineBufferSize?: number;
  /** Seconds between background sends. Default 5. */
  flushInterval?: number;
  /** Attempts per batch, with exponential backoff. Default 3. */
  maxRetries?: number;
  /** Also print each call to the console as a readable line. Default true. */
  printToConsole?: boolean;
  /**
   * Map, batch and send in a worker thread (core's delivery worker): a call costs this thread its record's text.
   * Without a thread (or its script, in a bundle) delivery runs here, reported once. Default false.
   */
  worker?: boolean;
}

export const SDK_DEFAULTS = {
  environment: 'production',
  endpoint: 'http://localhost:3100/loki/api/v1/push',
  useSendBeacon: true,
  enableOfflineBuffer: true,
  bufferSize: 1000,
  offlineBufferSize: 10_000,
  flushInterval: 5,
  maxRetries: 3,
  printToConsole: true,
  worker: false,
} as const;

/** The SDK's own option names and their checks (with core's, the names initSdk knows). */
const SDK_OWN_CHECKS = {
  appName: optionChecks.nonEmptyString,
  environment: optionChecks.string,
  endpoints: (name: string, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new LokiOptionsError(`${name} must be { loki: string } (the push URL), got ${describeValue(value)}`);
    }
    const loki = (value as { loki?: unknown }).loki;
    if (loki !== undefined) optionChecks.url(`${name}.loki`, loki);
  },
  useSendBeacon: optionChecks.boolean,
  enableOfflineBuffer: optionChecks.boolean,
  bufferSize: optionChecks.numberAtLeast(1),
  offlineBufferSize: optionChecks.numberAtLeast(1),
  flushInterval: optionChecks.seconds(0),
  maxRetries: optionChecks.numberAtLeast(1),
  printToConsole: optionChecks.boolean,
  worker: optionChecks.boolean,
} satisfies Record<Exclude<keyof SdkOptions, keyof LokiClientOptions>, (name: string, value: unknown) => void>;

/** Core options the SDK sets from its own names (the schema's `sdk` aliases): using core's name is worth a hint. */
const SDK_REPLACED = replacedNameHints(CLIENT_OPTION_SCHEMA, 'sdk');
const SDK_OPTION_NAMES = new Set<string>([
  ...Object.keys(SDK_OWN_CHECKS),
  ...CLIENT_OPTION_NAMES.filter((n) => !(n in SDK_REPLACED)),
]);

export type SdkLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical';
/** `undefined` in background mode (useSendBeacon true); a promise of the delivery otherwise. */
export type SdkCallResult = Promise<FlushResult> | undefined;
export type SdkFields = Record<string, unknown>;

const CONSOLE_METHOD: Record<SdkLevel, 'debug' | 'info' | 'warn' | 'error'> = {
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
};

let warnedNotInitialized = false;

/** The answer of a flush before initSdk(): nothing was pushed (a log call before it is a no-op). */
function nothingPushed(): FlushResult {
  const droppedByReason = zeroDropCounts();
  return { ok: true, acknowledged: 0, dropped: 0, droppedByReason, partiallyRejected: 0, pending: 0, timedOut: false };
}

export class LokiSDK {
  private client: SdkSink | undefined;
  private appName = '';
  private beacon: boolean = SDK_DEFAULTS.useSendBeacon;
  private print: boolean = SDK_DEFAULTS.printToConsole;

  /** Validates options (throws LokiOptionsError when unusable) and starts a client. Re-init closes the previous one. */
  init(options: SdkOptions): this {
    if (options === null || typeof options !== 'object')
      throw new LokiOptionsError('initSdk needs an options object with appName');
    if (typeof options.appName !== 'string' || options.appName.trim() === '') {
      throw new LokiOptionsError('appName is required: initSdk({ appName: "my-service" })');
    }
    for (const [name, check] of Object.entries(SDK_OWN_CHECKS)) {
      const value = (options as unknown as Record<string, unknown>)[name];
      if (value !== undefined) check(name, value);
    }
    const unknown = unknownOptionsError(options, SDK_OPTION_NAMES, SDK_REPLACED);
    const {
      appName,
      environment = SDK_DEFAULTS.environment,
      endpoints,
      useSendBeacon = SDK_DEFAULTS.useSendBeacon,
      enableOfflineBuffer = SDK_DEFAULTS.enableOfflineBuffer,
      bufferSize = SDK_DEFAULTS.bufferSize,
      offlineBufferSize = SDK_DEFAULTS.offlineBufferSize,
      flushInterval = SDK_DEFAULTS.flushInterval,
      maxRetries = SDK_DEFAULTS.maxRetries,
      printToConsole = SDK_DEFAULTS.printToConsole,
      worker = SDK_DEFAULTS.worker,
      labels,
      ...rest
    } = options;
    // Only the names core knows go on: the others were reported (once, below), not passed silently.
    const clientOptions: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(rest)) if (SDK_OPTION_NAMES.has(name)) clientOptions[name] = value;
    const next = startSdkSink(
      {
        ...clientOptions,
        url: endpoints?.loki ?? SDK_DEFAULTS.endpoint,
        labels: { ...labels, app: appName, environment },
        batchMaxEntries: bufferSize,
        batchIntervalMillis: Math.round(flushInterval * 1000),
        retryMaxAttempts: maxRetries,
        offlineBuffer: enableOfflineBuffer,
        offlineBufferMaxEntries: Math.max(offlineBufferSize, bufferSize),
      },
      worker,
    );
    if (unknown !== undefined) {
      try {
        (typeof options.onError === 'function' ? options.onError : defaultOnError)(unknown);
      } catch {
        // The error path must not throw into the app.
      }
    }
    const previous = this.client;
    this.client = next;
    this.appName = appName;
    this.beacon = useSendBeacon;
    this.print = printToConsole;
    if (previous !== undefined) void previous.close();
    return this;
  }

  get initialized(): boolean {
    return this.client !== undefined;
  }

  log(level: SdkLevel, message: unknown, fields?: SdkFields): SdkCallResult {
    const client = this.client;
    if (client === undefined) {
      // Documented no-op: a log call before init must never crash the app.
      if (!warnedNotInitialized) {
        warnedNotInitialized = true;
        process.emitWarning('loki-sdk: log call before initSdk(); call ignored', {
          type: 'LokiWarning',
          code: 'ERR_LOKI_NOT_INITIALIZED',
        });
      }
      return undefined;
    }
    if (this.print) printLine(level, this.appName, new Date(), message, fields);
    let record: LokiRecord;
    try {
      // A copy: the caller's fields object is never touched. Reading it runs the app's getters and
      // Proxy traps, which may throw: such a record is counted and reported as push() does its own.
      record = fields !== null && typeof fields === 'object' ? { ...fields, message, level } : { message, level };
    } catch (error) {
      client.pushInvalid(error);
      return this.beacon ? undefined : client.flush();
    }
    client.push(record);
    return this.beacon ? undefined : client.flush();
  }

  debug(message: unknown, fields?: SdkFields): SdkCallResult {
    return this.log('debug', message, fields);
  }
  info(message: unknown, fields?: SdkFields): SdkCallResult {
    return this.log('info', message, fields);
  }
  warning(message: unknown, fields?: SdkFields): SdkCallResult {
    return this.log('warning', message, fields);
  }
  warn(message: unknown, fields?: SdkFields): SdkCallResult {
    return this.log('warning', message, fields);
  }
  error(message: unknown, fields?: SdkFields): SdkCallResult {
    return this.log('error', message, fields);
  }
  critical(message: unknown, fields?: SdkFields): SdkCallResult {
    return this.log('critical', message, fields);
  }
  fatal(message: unknown, fields?: SdkFields): SdkCallResult {
    return this.log('critical', message, fields);
  }

  /** Sends everything logged so far; resolves with what happened (never rejects). */
  flush(options?: { timeoutMillis?: number }): Promise<FlushResult> {
    return this.client?.flush(options) ?? Promise.resolve(nothingPushed());
  }

  /** Flushes within the close deadline and releases the connection. Logging after close is a counted no-op. */
  close(): Promise<FlushResult> {
    return this.client?.close() ?? Promise.resolve(nothingPushed());
  }

  stats(): LokiClientStats | undefined {
    return this.client?.stats();
  }
}

function printLine(level: SdkLevel, appName: string, time: Date, message: unknown, fields?: SdkFields): void {
  try {
    let text = `${time.toISOString()} ${level.toUpperCase()} [${appName}] ${typeof message === 'string' ? message : String(message)}`;
    if (fields !== undefined && fields !== null && Object.keys(fields).length > 0) {
      const parts = Object.entries(fields).map(
        ([k, v]) =>
          `${k}=${v instanceof Error ? (v.stack ?? v.message) : typeof v === 'object' && v !== null ? safeJson(v) : String(v)}`,
      );
      text += ` ${parts.join(' ')}`;
    }
    // eslint-disable-next-line no-console
    console[CONSOLE_METHOD[level]](text);
  } catch {
    // Printing is a courtesy; it must never break logging.
  }
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[object]';
  }
}

const defaultSdk = new LokiSDK();

/** Initialises the default SDK instance used by the module functions below. */
export function initSdk(options: SdkOptions): LokiSDK {
  return defaultSdk.init(options);
}
export const debug = (message: unknown, fields?: SdkFields): SdkCallResult => defaultSdk.debug(message, fields);
export const info = (message: unknown, fields?: SdkFields): SdkCallResult => defaultSdk.info(message, fields);
export const warning = (message: unknown, fields?: SdkFields): SdkCallResult => defaultSdk.warning(message, fields);
export const warn = warning;
export const error = (message: unknown, fields?: SdkFields): SdkCallResult => defaultSdk.error(message, fields);
export const critical = (message: unknown, fields?: SdkFields): SdkCallResult => defaultSdk.critical(message, fields);
export const fatal = critical;
export const flush = (options?: { timeoutMillis?: number }): Promise<FlushResult> => defaultSdk.flush(options);
export const close = (): Promise<FlushResult> => defaultSdk.close();
export const getSdk = (): LokiSDK => defaultSdk;
