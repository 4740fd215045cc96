/**
 * jsonparser's string unescaping (vendor/github.com/grafana/jsonparser/escape.go), which Loki's JSON push
 * decoding uses for keys, lines and label values.
 */

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function unicodeEscapeAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== 0x5c || s.charCodeAt(i + 1) !== 0x75) return -1;
  let r = 0;
  for (let k = 2; k < 6; k++) {
    const d = hexDigit(s.charCodeAt(i + k));
    if (d < 0) return -1;
    r = r * 16 + d;
  }
  return r;
}

/**
 * jsonparser's `Unescape`: JSON escapes of the raw text between the quotes, or undefined when one is
 * invalid. A `\u` surrogate must be followed by a `\u` escape of at least U+DC00 (a lone surrogate fails);
 * the pair is combined as jsonparser does, and a result beyond U+10FFFF becomes U+FFFD.
 */
export function unescapeJsonString(raw: string): string | undefined {
  let b = raw.indexOf('\\');
  if (b < 0) return raw;
  let out = raw.slice(0, b);
  for (;;) {
    const e = raw[b + 1];
    let consumed = 2;
    switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        const r = unicodeEscapeAt(raw, b);
        if (r < 0) return undefined;
        if (r < 0xd800 || r > 0xdfff) {
          out += String.fromCharCode(r);
          consumed = 6;
          break;
        }
        const r2 = unicodeEscapeAt(raw, b + 6);
        if (r2 < 0xdc00) return undefined;
        const cp = 0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00);
        out += cp > 0x10ffff ? '\ufffd' : String.fromCodePoint(cp);
        consumed = 12;
        break;
      }
      default:
        return undefined;
    }
    const next = raw.indexOf('\\', b + consumed);
    if (next < 0) return out + raw.slice(b + consumed);
    out += raw.slice(b + consumed, next);
    b = next;
  }
}
