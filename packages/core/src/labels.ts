/** Loki's limits on stream labels (Loki 3.4.6 defaults). */
export const MAX_LABELS = 15;
export const MAX_LABEL_NAME_BYTES = 1024;
export const MAX_LABEL_VALUE_BYTES = 2048;

const VALID_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The prefix that makes a record field a stream label: `label_region: 'eu'` -> label `region`. */
export const LABEL_FIELD_PREFIX = 'label_';

/**
 * THE label-field test of every entry point: the prefix and at least one more character. A field
 * named exactly the prefix (`label_`) is not a label: it is metadata (or line) named `label_`.
 * An empty prefix (pino's `labelPrefix: ''`) turns label fields off.
 */
export function isLabelField(key: string, prefix: string = LABEL_FIELD_PREFIX): boolean {
  const n = prefix.length;
  if (n === 0 || key.length <= n) return false;
  // By character, not startsWith(): a push asks this of every field of its record up to three times, and most
  // differ at their first character (the builtin call was the largest line of the mapper's profile).
  for (let i = 0; i < n; i++) if (key.charCodeAt(i) !== prefix.charCodeAt(i)) return false;
  return true;
}

function isAsciiWord(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/**
 * THE structured-metadata name rule (core, SDK, pino, winston; README "Structured-metadata names"):
 * the name Loki 3.4.6 would store, in ASCII. Loki rewrites names with Prometheus' NormalizeLabel
 * (non letters/digits -> `_`, a leading digit gets `key_`, a single leading `_` gets `key`) but keeps
 * non-ASCII letters, and a stream whose metadata has such a name (or an empty one) answers 500 to
 * every query. So: every character but `[A-Za-z0-9_]` becomes `_` (one per code point), then Loki's
 * prefixes; the result is `[A-Za-z_][A-Za-z0-9_]*` and Loki leaves it as it is. Undefined for the
 * empty name (dropped, counted in `metadataNamesDropped`).
 */
export function metadataName(name: string): string | undefined {
  // The usual name (a letter, then letters, digits, `_`) is its own result: one pass, no allocation.
  const first = name.charCodeAt(0);
  let plain = (first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a);
  for (let i = 1; plain && i < name.length; i++) plain = isAsciiWord(name.charCodeAt(i));
  if (plain) return name;
  if (name.length === 0) return undefined;
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (isAsciiWord(c)) {
      out += name[i];
      continue;
    }
    out += '_';
    // A surrogate pair is one character (one `_`).
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = name.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  const lead = out.charCodeAt(0);
  if (lead >= 0x30 && lead <= 0x39) return `key_${out}`;
  if (lead === 0x5f && out.charCodeAt(1) !== 0x5f) return `key${out}`;
  return out;
}

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
