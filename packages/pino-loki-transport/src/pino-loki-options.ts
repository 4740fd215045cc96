import { DEFAULTS, describeValue, LokiOptionsError, optionChecks } from '@loki-sdk/core/adapter';

/**
 * pino-loki 3 option names, translated so a migration can start by changing only the target's name
 * (as winston-loki-transport does for winston-loki's). A name set explicitly in our spelling wins.
 */
export const PINO_LOKI_NAMES = ['batching', 'interval', 'timeout', 'silenceErrors', 'structuredMetaKey', 'endpoint'] as const;

/** pino-loki names with no equivalent: reported, with what to do instead. */
export const PINO_LOKI_UNSUPPORTED: Readonly<Record<string, string>> = {
  convertArrays: 'pino-loki option, not supported: arrays stay arrays in the JSON line (`| json` flattens them)',
  logFormat: "pino-loki option, not supported: use lineFormat: 'message'",
  messageField: "pino-loki option, not supported: use lineFormat: 'message' and messageKey",
  labelsBuilder: 'pino-loki option, not supported: use label_* fields or propsToLabels',
  messageBuilder: "pino-loki option, not supported: use lineFormat",
};

const { string, nonEmptyString, boolean, numberAtLeast, millis, seconds: inSeconds } = optionChecks;

/** Each pino-loki name's check, so a wrong type is refused under the name the caller wrote (never ignored). */
const PINO_LOKI_CHECKS: Record<(typeof PINO_LOKI_NAMES)[number], (name: string, value: unknown) => void> = {
  batching: (name, value) => {
    if (typeof value === 'boolean') return;
    if (!isObject(value) || Array.isArray(value)) throw new LokiOptionsError(`${name} must be true, false or { interval, maxBufferSize }, got ${describeValue(value)}`);
    if (value.interval !== undefined) inSeconds(0)(`${name}.interval`, value.interval);
    if (value.maxBufferSize !== undefined) numberAtLeast(1)(`${name}.maxBufferSize`, value.maxBufferSize);
  },
  interval: inSeconds(0),
  timeout: millis(1),
  silenceErrors: boolean,
  structuredMetaKey: nonEmptyString,
  endpoint: string,
};

const seconds = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value * 1000 : undefined);

/** Our options for pino-loki's names (copied; the caller's object is never changed). */
export function translatePinoLokiOptions(options: Record<string, unknown>): Record<string, unknown> {
  for (const name of PINO_LOKI_NAMES) if (options[name] !== undefined) PINO_LOKI_CHECKS[name](name, options[name]);
  const out: Record<string, unknown> = { ...options };
  for (const name of PINO_LOKI_NAMES) delete out[name];
  const { batching, interval, timeout, silenceErrors, structuredMetaKey, endpoint } = options;
  if (out.batchIntervalMillis === undefined) {
    // `batching: false` sends each log at once; `batching: { interval, maxBufferSize }` or `interval` in seconds.
    const batchInterval = batching === false ? 0 : seconds(isObject(batching) ? batching.interval : interval);
    if (batchInterval !== undefined) out.batchIntervalMillis = batchInterval;
  }
  if (out.bufferMaxEntries === undefined && isObject(batching) && batching.maxBufferSize !== undefined) out.bufferMaxEntries = batching.maxBufferSize;
  if (out.requestTimeoutMillis === undefined && timeout !== undefined) out.requestTimeoutMillis = timeout;
  if (out.printErrors === undefined && silenceErrors !== undefined) out.printErrors = silenceErrors === true ? false : undefined;
  if (out.metadataKey === undefined && structuredMetaKey !== undefined) out.metadataKey = structuredMetaKey;
  // pino-loki's endpoint is a push path appended to the host.
  if (out.url === undefined && typeof endpoint === 'string' && endpoint !== '') {
    const base = String(options.host ?? DEFAULTS.host).replace(/\/+$/, '');
    out.url = `${base}/${endpoint.replace(/^\/+/, '')}`;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
