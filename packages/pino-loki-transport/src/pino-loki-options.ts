import { DEFAULTS, describeValue, LokiOptionsError, optionChecks } from '@loki-sdk/core/adapter';

/**
 * pino-loki's option names that are not ours, translated so a migration can start by changing only
 * the target's name (as winston-loki-transport does for winston-loki's). A name set explicitly in our
 * spelling wins. `interval` is pino-loki 2's (3 has `batching.interval`). pino-loki's `convertArrays`
 * and `logFormat` (template) are options of ours under the same names.
 */
export const PINO_LOKI_NAMES = [
  'batching',
  'interval',
  'timeout',
  'silenceErrors',
  'structuredMetaKey',
  'endpoint',
] as const;

/** pino-loki 3's level label values (its LogBuilder's map: trace and debug are `debug`). */
export const PINO_LOKI_LEVEL_MAP: Readonly<Record<string, string>> = {
  10: 'debug',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'critical',
};

/** pino-loki 3's default `structuredMetaKey`. */
const PINO_LOKI_META_KEY = 'meta';

const { string, nonEmptyString, boolean, numberAtLeast, millis, seconds: inSeconds } = optionChecks;

/** Each pino-loki name's check, so a wrong type is refused under the name the caller wrote (never ignored). */
const PINO_LOKI_CHECKS: Record<(typeof PINO_LOKI_NAMES)[number], (name: string, value: unknown) => void> = {
  batching: (name, value) => {
    if (typeof value === 'boolean') return;
    if (!isObject(value) || Array.isArray(value))
      throw new LokiOptionsError(
        `${name} must be true, false or { interval, maxBufferSize }, got ${describeValue(value)}`,
      );
    if (value.interval !== undefined) inSeconds(0)(`${name}.interval`, value.interval);
    // pino-loki: 0 is unlimited.
    if (value.maxBufferSize !== undefined) numberAtLeast(0)(`${name}.maxBufferSize`, value.maxBufferSize);
  },
  interval: inSeconds(0),
  timeout: millis(1),
  silenceErrors: boolean,
  structuredMetaKey: (name, value) => {
    if (value !== false) nonEmptyString(name, value);
  },
  endpoint: string,
};

const seconds = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;

/** True when the options use a name only pino-loki has: the config is a pino-loki user's. */
export function isPinoLokiConfig(options: Record<string, unknown>): boolean {
  return PINO_LOKI_NAMES.some((name) => options[name] !== undefined);
}

/**
 * Our options for pino-loki's names (copied; the caller's object is never changed). A config written
 * with pino-loki's names also gets pino-loki's defaults where ours differ, so its streams stay as they
 * were: the `hostname` label, pino-loki's level names, `meta` as structured metadata. Our users never
 * write those names, so our defaults stay theirs.
 */
export function translatePinoLokiOptions(options: Record<string, unknown>): Record<string, unknown> {
  for (const name of PINO_LOKI_NAMES) if (options[name] !== undefined) PINO_LOKI_CHECKS[name](name, options[name]);
  const out: Record<string, unknown> = { ...options };
  for (const name of PINO_LOKI_NAMES) delete out[name];
  if (!isPinoLokiConfig(options)) return out;
  const { batching, interval, timeout, silenceErrors, structuredMetaKey, endpoint } = options;
  if (out.batchIntervalMillis === undefined) {
    // `batching: false` sends each log at once; `batching: { interval, maxBufferSize }` or `interval` in seconds.
    const batchInterval = batching === false ? 0 : seconds(isObject(batching) ? batching.interval : interval);
    if (batchInterval !== undefined) out.batchIntervalMillis = batchInterval;
  }
  const maxBufferSize = isObject(batching) ? batching.maxBufferSize : undefined;
  if (out.bufferMaxEntries === undefined && typeof maxBufferSize === 'number' && maxBufferSize > 0)
    out.bufferMaxEntries = maxBufferSize;
  if (out.requestTimeoutMillis === undefined && timeout !== undefined) out.requestTimeoutMillis = timeout;
  if (out.printErrors === undefined && silenceErrors !== undefined)
    out.printErrors = silenceErrors === true ? false : undefined;
  if (out.metadataKey === undefined && structuredMetaKey !== false)
    out.metadataKey = structuredMetaKey ?? PINO_LOKI_META_KEY;
  if (out.hostnameLabel === undefined) out.hostnameLabel = true;
  // pino-loki merges a levelMap over its own.
  const levelMap = options.levelMap;
  if (levelMap === undefined) out.levelMap = { ...PINO_LOKI_LEVEL_MAP };
  else if (isObject(levelMap) && !Array.isArray(levelMap)) out.levelMap = { ...PINO_LOKI_LEVEL_MAP, ...levelMap };
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
