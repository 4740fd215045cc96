/** Loki's limits on stream labels (contract §2.1). */
export const MAX_LABELS = 15;
export const MAX_LABEL_NAME_BYTES = 1024;
export const MAX_LABEL_VALUE_BYTES = 2048;

const VALID_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Sanitises a label name to Loki's syntax: every other character becomes `_`, a leading digit gets a
 * `_` prefix, and a reserved `__` prefix is cut to one `_` (so `service.name` -> `service_name`).
 * Returns undefined for a name with nothing usable.
 */
export function sanitizeLabelName(name: string): string | undefined {
  if (VALID_NAME.test(name) && !name.startsWith('__') && name.length <= MAX_LABEL_NAME_BYTES) return name;
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (out.length === 0) return undefined;
  if (/^[0-9]/.test(out)) out = `_${out}`;
  out = out.replace(/^__+/, '_');
  return out.slice(0, MAX_LABEL_NAME_BYTES);
}

/** Stringifies a label value; undefined for values Loki would drop (empty, null, undefined). */
export function labelValueToString(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === null || value === undefined) return undefined;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  if (text.length === 0) return undefined;
  // Loki's label lexer rejects U+FFFD and invalid UTF-8 (lone surrogates encode to U+FFFD).
  text = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFD/g, '?');
  if (Buffer.byteLength(text) > MAX_LABEL_VALUE_BYTES) text = truncateUtf8(text, MAX_LABEL_VALUE_BYTES);
  return text;
}

/** Cuts a string to at most maxBytes of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/** Escapes a label value for Loki's selector text (Go-quote compatible). */
export function escapeLabelValue(value: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let rep: string | undefined;
    if (c === 0x5c) rep = '\\\\';
    else if (c === 0x22) rep = '\\"';
    else if (c === 0x0a) rep = '\\n';
    else if (c === 0x0d) rep = '\\r';
    else if (c === 0x09) rep = '\\t';
    else if (c < 0x20 || c === 0x7f) rep = `\\x${c.toString(16).padStart(2, '0')}`;
    if (rep !== undefined) {
      out += value.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return start === 0 ? value : out + value.slice(start);
}

/** Loki's canonical selector text for a label set: sorted, `name="value"` joined by `, `. */
export function canonicalLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `{${sorted.map(([n, v]) => `${n}="${escapeLabelValue(v)}"`).join(', ')}}`;
}
