/**
 * Go string formatting helpers (`strconv.Quote`, `%q` for runes, `%#U`) and the
 * Go/Prometheus string-literal unquoting used by label selectors.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const HEX = '0123456789abcdef';

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and ASCII space. */
export function isGoPrintable(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp < 0x7f) return true;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(cp: number, digits: number): string {
  let out = '';
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += HEX[(cp >> shift) & 0xf];
  return out;
}

function escapeRune(cp: number, quote: number): string {
  if (cp === quote || cp === 0x5c) return '\\' + String.fromCodePoint(cp);
  if (isGoPrintable(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
    default:
      if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
      if (cp < 0x10000) return '\\u' + hex(cp, 4);
      return '\\U' + hex(cp, 8);
  }
}

/**
 * Go's `strconv.Quote`. A lone UTF-16 surrogate stands for invalid UTF-8, which Go would have
 * turned into U+FFFD when decoding; it is emitted as a raw U+FFFD.
 */
export function goQuote(s: string): string {
  if (PLAIN_ASCII.test(s)) return '"' + s + '"';
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0xfffd;
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd';
    else out += escapeRune(cp, 0x22);
  }
  return out + '"';
}

/** Go's `%q` applied to a rune (`strconv.QuoteRune`); -1 (end of input) prints as U+FFFD. */
export function goQuoteRune(cp: number): string {
  const valid = cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
  return "'" + escapeRune(valid ? cp : 0xfffd, 0x27) + "'";
}

/** Go's `%#U`, e.g. `U+0071 'q'`. */
export function goFormatU(cp: number): string {
  const code = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return isGoPrintable(cp) ? `${code} '${String.fromCodePoint(cp)}'` : code;
}

/** Go's `%.Nq` for a string: quote at most `precision` code points. */
export function goQuoteTruncated(s: string, precision: number): string {
  return goQuote(Array.from(s).slice(0, precision).join(''));
}

/** Error thrown by {@link unquoteGoLiteral}. */
export class UnquoteError extends Error {}

function hexValue(ch: string | undefined): number {
  if (ch === undefined) return -1;
  const c = ch.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Decodes the body of a `"…"` or `'…'` literal (without the quotes), with the escapes Go and
 * Prometheus accept: `\a \b \f \n \r \t \v \\`, the quote itself, octal `\NNN`, `\xHH`, `\uHHHH`,
 * `\UHHHHHHHH`. `\x`/octal escapes produce raw bytes, so the result is decoded as UTF-8 at the end.
 * Throws {@link UnquoteError} on a malformed escape.
 */
export function decodeGoEscapes(body: string, quote: '"' | "'"): string {
  if (!body.includes('\\')) return body;
  const chunks: Buffer[] = [];
  let run = '';
  let usedBytes = false;
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (ch !== '\\') {
      run += ch;
      i++;
      continue;
    }
    const esc = body[i + 1];
    i += 2;
    switch (esc) {
      case 'a':
        run += '\x07';
        break;
      case 'b':
        run += '\b';
        break;
      case 'f':
        run += '\f';
        break;
      case 'n':
        run += '\n';
        break;
      case 'r':
        run += '\r';
        break;
      case 't':
        run += '\t';
        break;
      case 'v':
        run += '\v';
        break;
      case '\\':
        run += '\\';
        break;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        const digits = body.slice(i - 1, i + 2);
        if (!/^[0-7]{3}$/.test(digits)) throw new UnquoteError('invalid octal escape');
        const v = parseInt(digits, 8);
        if (v > 255) throw new UnquoteError('escape sequence is an invalid Unicode code point');
        i += 2;
        if (v < 0x80) run += String.fromCharCode(v);
        else {
          chunks.push(Buffer.from(run, 'utf8'), Buffer.from([v]));
          run = '';
          usedBytes = true;
        }
        break;
      }
      case 'x':
      case 'u':
      case 'U': {
        const n = esc === 'x' ? 2 : esc === 'u' ? 4 : 8;
        let v = 0;
        for (let k = 0; k < n; k++) {
          const d = hexValue(body[i + k]);
          if (d < 0) throw new UnquoteError('invalid hex escape');
          v = v * 16 + d;
        }
        i += n;
        if (esc === 'x') {
          if (v < 0x80) run += String.fromCharCode(v);
          else {
            chunks.push(Buffer.from(run, 'utf8'), Buffer.from([v]));
            run = '';
            usedBytes = true;
          }
        } else {
          if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) {
            throw new UnquoteError('escape sequence is an invalid Unicode code point');
          }
          run += String.fromCodePoint(v);
        }
        break;
      }
      default:
        if (esc === quote) {
          run += quote;
          break;
        }
        throw new UnquoteError(
          `unknown escape sequence ${esc === undefined ? '' : goFormatU(esc.codePointAt(0)!)}`.trim(),
        );
    }
  }
  if (!usedBytes) return run;
  chunks.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(chunks).toString('utf8');
}
