import { validateHeaderName, validateHeaderValue } from 'node:http';
import { LokiOptionsError } from './errors.js';

/**
 * The type and range of every option of createLokiClient, checked once at construction. Each check
 * throws a LokiOptionsError naming the option, the type of the value given and what is expected.
 * Values are shown only where they cannot be secret (numbers, choices); credentials never.
 */
export type Check = (name: string, value: unknown) => void;

/** `a string`, `an array`, `null`...; with `showValue`, short non-secret values too: `a number (-5)`. */
export function describeValue(value: unknown, showValue = false): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Buffer';
  const type = typeof value;
  const article = type === 'object' ? 'an' : 'a';
  if (!showValue) return `${article} ${type}`;
  if (type === 'number' || type === 'boolean') return `${article} ${type} (${String(value)})`;
  if (type === 'string') {
    const text = value as string;
    return `a string (${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)})`;
  }
  return `${article} ${type}`;
}

function fail(name: string, expected: string, value: unknown, showValue = false): never {
  throw new LokiOptionsError(`${name} must be ${expected}, got ${describeValue(value, showValue)}`);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);

const string: Check = (name, value) => {
  if (typeof value !== 'string') fail(name, 'a string', value);
};
const nonEmptyString: Check = (name, value) => {
  if (typeof value !== 'string' || value === '') fail(name, 'a non-empty string', value);
};
const boolean: Check = (name, value) => {
  if (typeof value !== 'boolean') fail(name, 'true or false', value, true);
};
const numberAtLeast =
  (min: number): Check =>
  (name, value) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
      fail(name, `a number >= ${min}`, value, true);
  };
/** The longest delay a Node timer holds: a longer one fires at once (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MILLIS = 2_147_483_647;
/** A duration in ms that becomes a timer: at least `min`, at most what a timer holds. */
const millis =
  (min: number): Check =>
  (name, value) => {
    numberAtLeast(min)(name, value);
    if ((value as number) > MAX_TIMER_MILLIS)
      fail(name, `at most ${MAX_TIMER_MILLIS} (ms: a longer timer fires at once)`, value, true);
  };
/** The same in seconds (the SDK's and winston-loki's / pino-loki's `interval`). */
const seconds =
  (min: number): Check =>
  (name, value) => {
    numberAtLeast(min)(name, value);
    if ((value as number) > MAX_TIMER_MILLIS / 1000)
      fail(name, `at most ${MAX_TIMER_MILLIS / 1000} (s: a longer timer fires at once)`, value, true);
  };
const oneOf =
  (...allowed: string[]): Check =>
  (name, value) => {
    if (typeof value !== 'string' || !allowed.includes(value))
      fail(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value, true);
  };

/** A CR or LF would split the request head: every push then fails as a network error, retried forever. */
function headerSafe(name: string, value: string): void {
  try {
    validateHeaderValue('x', value);
  } catch {
    throw new LokiOptionsError(`${name} must not contain CR, LF or other control characters`);
  }
}

const url: Check = (name, value) => {
  if (typeof value !== 'string' || value === '') fail(name, 'an http:// or https:// URL string', value);
};
const headerString: Check = (name, value) => {
  if (typeof value !== 'string') fail(name, 'a string', value);
  headerSafe(name, value);
};
/** `'env'` or an http:// URL; the URL itself is checked (and never shown) by proxy-url.ts. */
const proxy: Check = (name, value) => {
  if (typeof value !== 'string' || value === '') fail(name, "an http:// proxy URL string or 'env'", value);
};
const basicAuth: Check = (name, value) => {
  if (!isPlainObject(value) || typeof value.username !== 'string' || typeof value.password !== 'string') {
    const got = isPlainObject(value)
      ? `an object with username: ${describeValue(value.username)}, password: ${describeValue(value.password)}`
      : describeValue(value);
    throw new LokiOptionsError(`${name} must be { username: string, password: string }, got ${got}`);
  }
};
const headers: Check = (name, value) => {
  if (!isPlainObject(value)) fail(name, 'an object of header names to string values', value);
  for (const [key, v] of Object.entries(value)) {
    try {
      validateHeaderName(key);
    } catch {
      throw new LokiOptionsError(
        `${name}: header name ${JSON.stringify(key.replace(/[\r\n]/g, ' '))} is not a valid HTTP header name`,
      );
    }
    // An unset value (`{ 'X-Team': process.env.TEAM }`) is left out, as got does.
    if (v === undefined) continue;
    // The header's name is safe to show; its value (an Authorization header) is not.
    if (typeof v !== 'string') fail(`${name}[${JSON.stringify(key)}]`, 'a string', v);
    headerSafe(`${name}[${JSON.stringify(key)}]`, v);
  }
};
const pem: Check = (name, value) => {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) fail(name, 'PEM text (a string or a Buffer)', value);
};
const tls: Check = (name, value) => {
  if (!isPlainObject(value))
    fail(name, 'an object ({ ca, cert, key, caFile, certFile, keyFile, passphrase, rejectUnauthorized })', value);
  const t = value;
  if (t.ca !== undefined) {
    if (Array.isArray(t.ca)) t.ca.forEach((ca, i) => pem(`${name}.ca[${i}]`, ca));
    else pem(`${name}.ca`, t.ca);
  }
  if (t.cert !== undefined) pem(`${name}.cert`, t.cert);
  if (t.key !== undefined) pem(`${name}.key`, t.key);
  for (const file of ['caFile', 'certFile', 'keyFile'] as const)
    if (t[file] !== undefined) nonEmptyString(`${name}.${file}`, t[file]);
  if (t.passphrase !== undefined) string(`${name}.passphrase`, t.passphrase);
  if (t.rejectUnauthorized !== undefined) boolean(`${name}.rejectUnauthorized`, t.rejectUnauthorized);
};
const labels: Check = (name, value) => {
  if (!isPlainObject(value)) fail(name, 'an object of label names to values', value);
};
const levelLabel: Check = (name, value) => {
  if (value !== false && (typeof value !== 'string' || value === '')) fail(name, 'a label name or false', value, true);
};
const diskBuffer: Check = (name, value) => {
  if (!isPlainObject(value) || typeof value.directory !== 'string' || value.directory === '') {
    fail(
      name,
      '{ directory: string, maxBytes?, syncIntervalMillis?, segmentMaxBytes?, heartbeatTimeoutMillis? }',
      isPlainObject(value) ? value.directory : value,
    );
  }
  if (value.maxBytes !== undefined) numberAtLeast(1024)(`${name}.maxBytes`, value.maxBytes);
  if (value.syncIntervalMillis !== undefined) millis(0)(`${name}.syncIntervalMillis`, value.syncIntervalMillis);
  if (value.heartbeatTimeoutMillis !== undefined)
    millis(100)(`${name}.heartbeatTimeoutMillis`, value.heartbeatTimeoutMillis);
  if (value.segmentMaxBytes !== undefined) numberAtLeast(1024)(`${name}.segmentMaxBytes`, value.segmentMaxBytes);
};
const countOrFalse: Check = (name, value) => {
  if (value !== false) numberAtLeast(1)(name, value);
};
const fn: Check = (name, value) => {
  if (typeof value !== 'function') fail(name, 'a function', value);
};

const traceContext: Check = (name, value) => {
  if (typeof value === 'boolean') return;
  if (!isPlainObject(value)) fail(name, 'true, false or { traceId?, spanId?, traceFlags? }', value, true);
  for (const key of Object.keys(value)) {
    if (key !== 'traceId' && key !== 'spanId' && key !== 'traceFlags')
      throw new LokiOptionsError(`${name} has no field "${key}" (traceId, spanId, traceFlags)`);
    nonEmptyString(`${name}.${key}`, value[key]);
  }
};

/** The checks of core's options that their type, bounds and values do not give (option-schema.ts uses them). */
export const clientChecks = {
  url,
  headerString,
  proxy,
  basicAuth,
  headers,
  tls,
  labels,
  levelLabel,
  diskBuffer,
  traceContext,
  countOrFalse,
} as const;

const list: Check = (name, value) => {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(name, 'an array of field names', value);
};
const object: Check = (name, value) => {
  if (!isPlainObject(value)) fail(name, 'an object', value);
};

/** The checks adapters use for their own options, so every package words its errors alike. */
export const optionChecks = {
  string,
  nonEmptyString,
  boolean,
  numberAtLeast,
  millis,
  seconds,
  oneOf,
  url,
  labels,
  fn,
  list,
  object,
} as const;
