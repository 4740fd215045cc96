/** Loki's structured-metadata sanitising (distributor.go: Prometheus `NormalizeLabel` on names, U+FFFD → space in values). */

const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;

/**
 * Prometheus' `NormalizeLabel`: every rune that is not a Unicode letter or decimal digit becomes `_`;
 * a leading digit gets the prefix `key_`; a single leading `_` (not `__`) gets the prefix `key`.
 * Examples: `trace.id` → `trace_id`, `1x` → `key_1x`, `_x` → `key_x`.
 */
export function normalizeStructuredMetadataName(name: string): string {
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
