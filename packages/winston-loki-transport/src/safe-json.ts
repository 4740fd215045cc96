/**
 * JSON for log lines. `JSON.stringify` alone throws on circular references and BigInt and turns an
 * Error into `{}`; the safe path fixes all three. The fast path is taken when no value is an object,
 * which is the common `logger.info('msg', { id: 1, user: 'x' })` case.
 */
export function stringifyFields(fields: Record<string, unknown>, hasObjectValue: boolean): string {
  if (!hasObjectValue) {
    try {
      return JSON.stringify(fields);
    } catch {
      // BigInt: fall through to the safe path.
    }
  }
  return safeStringify(fields);
}

/**
 * Never throws: circular references become "[Circular]", BigInt a decimal string, Errors keep name,
 * message, stack, cause and own fields (as @loki-sdk/core does for metadata), symbols and functions a
 * readable stand-in.
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
    // A throwing toJSON() or getter: describe instead of failing the entry.
    return `[Unserializable: ${err instanceof Error ? err.message : String(err)}]`;
  }
}

function errorToObject(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  if (err.stack !== undefined) out.stack = err.stack;
  for (const key of Object.keys(err)) {
    if (!(key in out)) out[key] = (err as unknown as Record<string, unknown>)[key];
  }
  if (err.cause !== undefined) out.cause = err.cause;
  return out;
}

/** A message as line text: strings as they are, Errors as their stack, objects as JSON. */
export function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message === undefined || message === null) return '';
  if (message instanceof Error) return message.stack ?? `${message.name}: ${message.message}`;
  if (typeof message === 'object') return safeStringify(message);
  return String(message);
}
