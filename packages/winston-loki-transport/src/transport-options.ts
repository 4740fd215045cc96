import {
  aliasNames,
  checkAliases,
  checkSchemaOptions,
  CLIENT_OPTION_NAMES,
  CLIENT_OPTION_SCHEMA,
  describeValue,
  lineFormatOf,
  lineFormatSpec,
  LokiOptionsError,
  translateAliases,
  unknownOptionsError,
  type LineFormat as CoreLineFormat,
  type LineFormatName,
  type OptionSpec,
  type LokiClientOptions,
  type LokiError,
} from '@loki-sdk/core/adapter';
import type TransportStream from 'winston-transport';

/**
 * How the Loki line is built when no `format` is set on the transport (core's names, LINE_FORMATS):
 * - `json`: a JSON object, `{"message":"…", …meta}` (every line parses with LogQL `| json`);
 * - `text`: the message, a space, then the meta as JSON (`msg {"k":"v"}`, winston-loki's shape);
 * - `message`: the message alone; meta goes to Loki structured metadata (Loki ≥ 3.0 / schema v13). Its earlier
 *   name here, `metadata`, is accepted too.
 */
export type LineFormat = LineFormatName;

/** The core options passed through unchanged: all but those this transport sets itself. */
type PassThroughOptions = Omit<LokiClientOptions, 'basicAuth' | 'metadataMode' | 'onError'>;

type StreamOptions = Pick<
  TransportStream.TransportStreamOptions,
  'format' | 'level' | 'silent' | 'handleExceptions' | 'handleRejections'
>;

/** winston-loki 6 option names, accepted so a migration can start by changing only the import. */
export interface WinstonLokiCompatOptions {
  /** winston-loki: seconds between batches. Becomes `batchIntervalMillis` (unless that is set). */
  interval?: number;
  /** winston-loki: `true` sends JSON instead of protobuf. Becomes `encoding: 'json'` (unless `encoding` is set). */
  json?: boolean;
  /** winston-loki: `false` sends logs as they come. Becomes `batchIntervalMillis: 0` (unless set). */
  batching?: boolean;
  /** winston-loki: request timeout in ms. Becomes `requestTimeoutMillis` (unless set). */
  timeout?: number;
  /** winston-loki: `true` drops a failing batch. Becomes `offlineBuffer: false` (unless set). */
  clearOnError?: boolean;
  /** winston-loki: `true` ignores `info.timestamp` and stamps entries with the time of logging. Default false here. */
  replaceTimestamp?: boolean;
  /** winston-loki: `false` turns the exit delivery off. Becomes `exitHook` (unless set). */
  gracefulShutdown?: boolean;
  /** winston-loki: called with each delivery error. Called like `onError`; the `'warn'` event fires too. */
  onConnectionError?: (error: unknown) => void;
  /** winston-loki: every meta field becomes a stream label (mind Loki's 15-label limit and cardinality). */
  useWinstonMetaAsLabels?: boolean;
  /** winston-loki: with `useWinstonMetaAsLabels`, meta fields that stay in the line instead. */
  ignoredMeta?: string[];
}

export interface LokiTransportOptions extends PassThroughOptions, StreamOptions, WinstonLokiCompatOptions {
  /** `{ username, password }`, or winston-loki's `'username:password'` string. */
  basicAuth?: { username: string; password: string } | string;
  /** Line shape when no `format` is set on the transport. Default `json`. */
  lineFormat?: LineFormat;
  /** Also called with each delivery error (the `'warn'` event fires as well). */
  onError?: (error: LokiError) => void;
  /**
   * Map, batch and send in a worker thread (default true): `log()` then only serializes the info.
   * `false` does everything on the calling thread. Without the worker script (an app bundled into
   * one file) the transport works in-thread whatever this says.
   */
  worker?: boolean;
}

/** What the record mapping needs to know, resolved once. */
export interface RecordMapping {
  /** The format by its name (an earlier name resolved). */
  lineFormat: CoreLineFormat;
  /** A `format` is set on the transport: its `info[MESSAGE]` is the line. */
  useFormat: boolean;
  /** The level goes to core as the level label (false: it stays a field of the line / metadata). */
  levelAsLabel: boolean;
  /** Honour `info.timestamp`. */
  useTimestamp: boolean;
  metaAsLabels: boolean;
  ignoredMeta: ReadonlySet<string>;
}

export function streamOptions(options: LokiTransportOptions): StreamOptions {
  // Only these: TransportStream would also take `log`/`close` overrides from the options object.
  const out: StreamOptions = {};
  if (options.format !== undefined) out.format = options.format;
  if (options.level !== undefined) out.level = options.level;
  if (options.silent !== undefined) out.silent = options.silent;
  if (options.handleExceptions !== undefined) out.handleExceptions = options.handleExceptions;
  if (options.handleRejections !== undefined) out.handleRejections = options.handleRejections;
  return out;
}

export function recordMapping(options: LokiTransportOptions): RecordMapping {
  return {
    lineFormat: lineFormatOf<RecordMapping['lineFormat']>(options.lineFormat) ?? 'json',
    useFormat: options.format !== undefined,
    levelAsLabel: options.levelLabel !== false,
    useTimestamp: options.replaceTimestamp !== true,
    metaAsLabels: options.useWinstonMetaAsLabels === true,
    ignoredMeta: new Set(options.ignoredMeta ?? []),
  };
}

/** winston-loki's `basicAuth: 'user:pass'`: split at the first colon (passwords may contain colons). */
function basicAuth(value: LokiTransportOptions['basicAuth']): LokiClientOptions['basicAuth'] {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const at = value.indexOf(':');
    return at < 0 ? { username: value, password: '' } : { username: value.slice(0, at), password: value.slice(at + 1) };
  }
  return value;
}

const NOT_PASSED = new Set<string>(['basicAuth', 'metadataMode', 'onError']);
const PASS_THROUGH = CLIENT_OPTION_NAMES.filter((name) => !NOT_PASSED.has(name)) as ReadonlyArray<
  keyof PassThroughOptions
>;

type Own = Exclude<keyof LokiTransportOptions, keyof PassThroughOptions | keyof WinstonLokiCompatOptions>;
const t = 'transport';

/**
 * The transport's own options (winston's and ours), in core's schema shape; winston-loki's names are
 * the `winston-loki` aliases of core's schema (and `replaceTimestamp`, `useWinstonMetaAsLabels`,
 * `ignoredMeta`, `onConnectionError`, which are options here under the same names).
 */
export const WINSTON_OPTION_SCHEMA = {
  level: { group: t, type: 'string', defaultText: "the logger's", doc: 'most verbose level this transport takes' },
  format: {
    group: t,
    type: 'object',
    defaultText: 'none',
    doc: 'a winston format for this transport; its output (`info[MESSAGE]`) becomes the line',
    check: (name, value) => {
      if (
        value === null ||
        typeof value !== 'object' ||
        typeof (value as { transform?: unknown }).transform !== 'function'
      )
        throw new LokiOptionsError(
          `${name} must be a winston format (winston.format.json(), ...), got ${describeValue(value)}`,
        );
    },
  },
  silent: { group: t, type: 'boolean', default: false, doc: 'drop everything' },
  handleExceptions: {
    group: t,
    type: 'boolean',
    default: false,
    doc: "log uncaught exceptions (winston's exception handler)",
  },
  handleRejections: { group: t, type: 'boolean', default: false, doc: 'log unhandled rejections' },
  // A `{ username, password }` object is checked by core.
  basicAuth: {
    group: 'connection',
    type: 'object',
    doc: "`{ username, password }` or `'username:password'` (split at the first colon)",
    check: (name, value) => {
      if (typeof value !== 'string' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
        throw new LokiOptionsError(
          `${name} must be { username, password } or a "username:password" string, got ${describeValue(value)}`,
        );
      }
    },
  },
  lineFormat: lineFormatSpec(['json', 'text', 'message'], {
    group: 'content',
    doc:
      "`'json'`, `'text'` or `'message'` (earlier `'metadata'`, still accepted; see [The line](#the-line)); " +
      'ignored when `format` is set',
  }),
  replaceTimestamp: {
    group: 'content',
    type: 'boolean',
    default: false,
    doc: '`true`: ignore `info.timestamp`, stamp entries with the time of logging',
  },
  useWinstonMetaAsLabels: {
    group: 'content',
    type: 'boolean',
    default: false,
    doc: "every meta field becomes a label (mind cardinality and Loki's 15 labels)",
  },
  ignoredMeta: {
    group: 'content',
    type: 'list',
    defaultText: '`[]`',
    doc: 'with `useWinstonMetaAsLabels`: meta fields that stay in the line',
  },
  worker: {
    group: 'request',
    type: 'boolean',
    default: true,
    doc: 'map, batch and send in a worker thread; `log()` only takes the info as text',
  },
  onError: {
    group: 'errors',
    type: 'function',
    doc: "`(err: LokiError) => void`, called for each failure, besides the `'warn'` event",
  },
  onConnectionError: { group: 'errors', type: 'function', doc: "winston-loki's name; called like `onError`" },
} as const satisfies Record<
  Own | 'replaceTimestamp' | 'onConnectionError' | 'useWinstonMetaAsLabels' | 'ignoredMeta',
  OptionSpec
>;

/** winston-loki's names translated into core's (core's schema: the `winston-loki` aliases). */
const WINSTON_LOKI_NAMES = aliasNames(CLIENT_OPTION_SCHEMA, 'winston-loki');

const KNOWN_NAMES = new Set<string>([...PASS_THROUGH, ...Object.keys(WINSTON_OPTION_SCHEMA), ...WINSTON_LOKI_NAMES]);
// winston-loki's agents: an agent object cannot cross into the delivery worker, and a proxy is what they are used for.
const AGENT_HINT = "an agent cannot be used here: for a proxy use proxy: 'http://host:port' or proxy: 'env'";
const HINTS: Record<string, string> = {
  metadataMode: 'set by this transport: use lineFormat',
  httpAgent: AGENT_HINT,
  httpsAgent: AGENT_HINT,
};

/** Throws a LokiOptionsError for an own option of the wrong type or range (core checks the rest). */
export function checkTransportOptions(options: LokiTransportOptions): void {
  if (options === null || typeof options !== 'object')
    throw new LokiOptionsError(`options must be an object, got ${describeValue(options)}`);
  checkSchemaOptions(WINSTON_OPTION_SCHEMA, options as Record<string, unknown>);
  checkAliases(CLIENT_OPTION_SCHEMA, 'winston-loki', options as Record<string, unknown>);
}

/** One report naming every option nobody knows, with a "did you mean", or undefined. */
export function unknownTransportOptions(options: LokiTransportOptions): LokiError | undefined {
  return unknownOptionsError(options, KNOWN_NAMES, HINTS);
}

/** The options of the core client, winston-loki names translated. `onError` is the transport's. */
export function clientOptions(options: LokiTransportOptions, onError: (error: LokiError) => void): LokiClientOptions {
  const translated = translateAliases(CLIENT_OPTION_SCHEMA, 'winston-loki', options as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const key of PASS_THROUGH) if (translated[key] !== undefined) out[key] = translated[key];
  const auth = basicAuth(options.basicAuth);
  if (auth !== undefined) out.basicAuth = auth;
  // Fields and meta are laid out by this package; core only ever gets `metadata` in lineFormat 'message'.
  out.metadataMode = 'structured';
  out.onError = onError;
  return out;
}
