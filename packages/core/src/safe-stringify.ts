/**
 * JSON that never throws: circular references become "[Circular]", BigInt a decimal string, Error
 * objects keep name, message, stack (and code, cause, own fields), symbols and functions a readable
 * stand-in, undefined values are left out as JSON does.
 */
export function safeStringify(value: unknown): string {
  // Ancestors only (not every object seen), so a value shared by two fields is written twice, not "[Circular]".
  const ancestors: object[] = [];
  const replacer = function (this: unknown, _key: string, val: unknown): unknown {
    if (typeof val === 'bigint') return val.toString();
    if (typeof val === 'symbol') return val.toString();
    if (typeof val === 'function') return `[Function ${val.name || 'anonymous'}]`;
    if (val !== null && typeof val === 'object') {
      // `this` is the object holding the key: drop ancestors that are no longer on the path.
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(val)) return '[Circular]';
      ancestors.push(val);
      if (val instanceof Error) {
        // The plain stand-in is what JSON walks next, so it joins the path too.
        const plain = errorToObject(val);
        ancestors.push(plain);
        return plain;
      }
    }
    return val;
  };
  try {
    return JSON.stringify(value, replacer) ?? String(value);
  } catch (err) {
    // toJSON() that throws, getters that throw, proxies...: fall back to a description.
    return `[Unserializable: ${err instanceof Error ? err.message : String(err)}]`;
  }
}

export function errorToObject(err: Error): Record<string, unknown> {
  // Null prototype: an own field named `constructor` or `__proto__` is kept as a key.
  const out = Object.create(null) as Record<string, unknown>;
  out.name = err.name;
  out.message = err.message;
  if (err.stack !== undefined) out.stack = err.stack;
  for (const key of Object.keys(err)) {
    if (!Object.prototype.hasOwnProperty.call(out, key)) out[key] = (err as unknown as Record<string, unknown>)[key];
  }
  if (err.cause !== undefined) out.cause = err.cause;
  return out;
}

/** A metadata value as Loki structured metadata wants it: a string. */
export function metadataValueToString(value: unknown): string {
  if (typeof value === 'string') return value;
  // An integer by integerText(), the same text as String() but not through V8's number-string cache: that cache keeps
  // the last thousands of strings alive across scavenges, which made the young generation grow to 2 x 16 MiB in a
  // burst of entries with a counter field (and stay so: ~110 B of RSS per held entry at 300 000 entries).
  if (typeof value === 'number') return Number.isSafeInteger(value) ? integerText(value) : String(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `[Function ${value.name || 'anonymous'}]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  return safeStringify(value);
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * A safe integer's decimal text, fresh (not from the number-string cache). Non-negative ones below 2^31 digit by
 * digit: short strings joined are flat and new, and this costs about half of toFixed(0) (a counter field is in
 * most records); any other by toFixed(0). -0 is "0", as String() writes it.
 */
function integerText(n: number): string {
  if (n < 0 || n > 0x7fffffff) return n.toFixed(0);
  let text = '';
  do {
    const rest = (n / 10) | 0;
    text = DIGITS[n - rest * 10]! + text;
    n = rest;
  } while (n > 0);
  return text;
}

/** A message as line text: strings as they are, Errors as their stack, objects as safe JSON. */
export function messageToLine(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message === undefined || message === null) return '';
  if (message instanceof Error) return message.stack ?? `${message.name}: ${message.message}`;
  if (typeof message === 'object') return safeStringify(message);
  return String(message);
}
