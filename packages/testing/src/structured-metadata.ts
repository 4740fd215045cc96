/**
 * Loki's structured-metadata sanitising (distributor.go: Prometheus `NormalizeLabel` on names, U+FFFD →
 * space in values).
 */

const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Prometheus' `NormalizeLabel`: every rune that is not a Unicode letter or decimal digit becomes `_`;
 * a leading digit gets the prefix `key_`; a single leading `_` (not `__`) gets the prefix `key`.
 * Examples: `trace.id` → `trace_id`, `1x` → `key_1x`, `_x` → `key_x`.
 */
export function normalizeStructuredMetadataName(name: string): string {
  // ASCII letters, digits and `_` after a leading letter map to themselves (`_` becomes `_`): the usual
  // name skips the per-rune loop below (a Unicode regex test and a concatenation per character).
  if (PLAIN_NAME.test(name)) return name;
  if (name === '') return name;
  let out = '';
  for (const ch of name) out += LETTER_OR_DIGIT.test(ch) ? ch : '_';
  const first = out.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) return 'key_' + out;
  if (out.startsWith('_') && !out.startsWith('__')) return 'key' + out;
  return out;
}

/** Replaces every U+FFFD in a structured-metadata value with a space, as Loki does. */
export function sanitizeStructuredMetadataValue(value: string): string {
  return value.includes('\ufffd') ? value.replaceAll('\ufffd', ' ') : value;
}
