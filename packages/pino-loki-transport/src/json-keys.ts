/**
 * Removes top-level keys from the text of a JSON object without re-serialising it, so what stays is
 * byte for byte what pino wrote: field order, number spelling (big integers keep every digit) and
 * escapes. Returns undefined when the text is not a well-formed object; the caller falls back.
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

/** removeTopLevelKeys, also handing back what was removed (its values still as JSON text). */
export function splitTopLevelKeys(json: string, shouldRemove: (key: string) => boolean): SplitObject | undefined {
  const n = json.length;
  let i = skipSpace(json, 0);
  if (json.charCodeAt(i) !== 0x7b /* { */) return undefined;
  const head = json.slice(0, i + 1);
  i = skipSpace(json, i + 1);
  const kept: string[] = [];
  const removed: Array<[string, string]> = [];
  if (json.charCodeAt(i) === 0x7d /* } */) return { kept: json, removed };
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
    if (shouldRemove(key)) removed.push([key, json.slice(valueStart, i)]);
    else kept.push(json.slice(keyStart, i));
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
  return { kept: removed.length > 0 ? `${head}${kept.join(',')}}` : json, removed };
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
