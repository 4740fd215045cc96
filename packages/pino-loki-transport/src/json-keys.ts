/**
 * Removes top-level keys from the text of a JSON object without re-serialising it, so what stays is
 * byte for byte what pino wrote: field order, number spelling (big integers keep every digit), escapes
 * and spacing. A removed pair takes its separating comma with it. Returns undefined when the text is
 * not a well-formed object; the caller falls back.
 */
export function removeTopLevelKeys(json: string, shouldRemove: (key: string) => boolean): string | undefined {
  return splitTopLevelKeys(json, shouldRemove)?.kept;
}

export interface SplitObject {
  /** The object without the removed keys (the input itself when none was removed). */
  kept: string;
  /** Removed keys with the JSON text of their values, in order. */
  removed: Array<[key: string, valueText: string]>;
}

/**
 * removeTopLevelKeys, also handing back what was removed (its values still as JSON text). What is cut
 * for a removed pair: from the end of the pair before it through its value; for removed pairs before
 * the first kept one, from the first of them up to the kept key.
 */
export function splitTopLevelKeys(json: string, shouldRemove: (key: string) => boolean): SplitObject | undefined {
  const n = json.length;
  let i = skipSpace(json, 0);
  if (json.charCodeAt(i) !== 0x7b /* { */) return undefined;
  i = skipSpace(json, i + 1);
  const removed: Array<[string, string]> = [];
  if (json.charCodeAt(i) === 0x7d /* } */) return { kept: json, removed };
  let kept = '';
  let copyFrom = 0;
  let keptAny = false;
  let leadStart = -1; // first key of the removed pairs before any kept pair
  let prevValueEnd = -1;
  for (;;) {
    if (json.charCodeAt(i) !== 0x22 /* " */) return undefined;
    const keyStart = i;
    const keyEnd = skipString(json, i);
    if (keyEnd < 0) return undefined;
    i = skipSpace(json, keyEnd);
    if (json.charCodeAt(i) !== 0x3a /* : */) return undefined;
    const valueStart = skipSpace(json, i + 1);
    i = skipValue(json, valueStart);
    if (i < 0) return undefined;
    const rawKey = json.slice(keyStart + 1, keyEnd - 1);
    const key = rawKey.includes('\\') ? (JSON.parse(`"${rawKey}"`) as string) : rawKey;
    if (shouldRemove(key)) {
      removed.push([key, json.slice(valueStart, i)]);
      if (keptAny) {
        kept += json.slice(copyFrom, prevValueEnd);
        copyFrom = i;
      } else if (leadStart < 0) leadStart = keyStart;
    } else {
      if (leadStart >= 0) {
        kept += json.slice(copyFrom, leadStart);
        copyFrom = keyStart;
        leadStart = -1;
      }
      keptAny = true;
    }
    prevValueEnd = i;
    i = skipSpace(json, i);
    const c = json.charCodeAt(i);
    if (c === 0x2c /* , */) {
      i = skipSpace(json, i + 1);
      continue;
    }
    if (c !== 0x7d) return undefined;
    if (skipSpace(json, i + 1) !== n) return undefined;
    break;
  }
  if (removed.length === 0) return { kept: json, removed };
  if (leadStart >= 0) {
    // Nothing kept: the object keeps only its braces (and the spacing outside the pairs).
    kept += json.slice(copyFrom, leadStart);
    copyFrom = prevValueEnd;
  }
  return { kept: kept + json.slice(copyFrom), removed };
}

const PLAIN_PREFIX = /^[A-Za-z0-9_]+$/;

/**
 * The same cut as splitTopLevelKeys, for the line pino usually writes: an object with no nested
 * object or array and no spacing around the removed pairs (`,"label_x":"v"`). Found with indexOf
 * instead of a scan of every key and value: the pino worker's largest cost per line was that scan
 * (~1.2 µs of ~1.6 µs to map a line with a label field, micro-benchmark). Returns undefined whenever
 * the line is not of that shape; the caller then takes splitTopLevelKeys.
 */
export function splitFlatLabelKeys(json: string, prefix: string): SplitObject | undefined {
  // No '{' after the first character and no '[': no nesting (braces in strings only make it bail).
  if (prefix === '' || json.charCodeAt(0) !== 0x7b || json.indexOf('{', 1) >= 0 || json.indexOf('[') >= 0)
    return undefined;
  // An escaped key could spell the prefix (`"label\u005fx"`): only \u escapes can, for a prefix of
  // letters, digits and '_'; the needle below would miss such a key, so let the full scan read it.
  if (json.includes('\\u') || (json.includes('\\') && !PLAIN_PREFIX.test(prefix))) return undefined;
  const needle = '"' + prefix;
  const removed: Array<[string, string]> = [];
  let kept = '';
  let copyFrom = 0;
  for (let at = json.indexOf(needle); at >= 0; at = json.indexOf(needle, at + 1)) {
    const before = json.charCodeAt(at - 1);
    // A quote after a backslash is inside a string; after a colon it opens a value: not a key.
    if (before === 0x5c /* \ */ || before === 0x3a /* : */) continue;
    // A key after ',' with a value or string right before it (no spacing); anything else: bail.
    if (before !== 0x2c || !isValueEnd(json.charCodeAt(at - 2))) return undefined;
    const keyEnd = json.indexOf('"', at + 1);
    if (keyEnd < 0 || json.charCodeAt(keyEnd + 1) !== 0x3a) return undefined;
    const key = json.slice(at + 1, keyEnd);
    if (key.includes('\\') || key.length <= prefix.length) return undefined; // escaped key, or the bare prefix: the general path decides
    const valueStart = keyEnd + 2;
    const valueEnd = skipValue(json, valueStart);
    if (valueEnd < 0) return undefined;
    const after = json.charCodeAt(valueEnd);
    if (after !== 0x2c && after !== 0x7d) return undefined;
    removed.push([key, json.slice(valueStart, valueEnd)]);
    kept += json.slice(copyFrom, at - 1);
    copyFrom = valueEnd;
    at = valueEnd - 1;
  }
  if (removed.length === 0) return { kept: json, removed };
  return { kept: kept + json.slice(copyFrom), removed };
}

/** The last character of a JSON value: a closing quote, a digit, or the end of true/false/null. */
function isValueEnd(c: number): boolean {
  return c === 0x22 || (c >= 0x30 && c <= 0x39) || c === 0x65 /* e */ || c === 0x6c; /* l */
}

function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** i at the opening quote; returns the index after the closing quote, or -1. */
function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) return -1;
    // An odd run of backslashes before the quote escapes it.
    let b = q - 1;
    while (b > i && s.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** i at the first character of a value; returns the index after it, or -1. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 0x22) return skipString(s, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    let j = i;
    while (j < s.length) {
      const d = s.charCodeAt(j);
      if (d === 0x22) {
        j = skipString(s, j);
        if (j < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  // number, true, false, null: up to the next delimiter.
  let j = i;
  while (j < s.length) {
    const d = s.charCodeAt(j);
    if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
    j++;
  }
  return j > i ? j : -1;
}
