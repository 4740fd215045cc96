/**
 * The lexer of Prometheus' label syntax (promql/parser/lex.go, v0.55) as far as `ParseMetric` reaches:
 * braces, identifiers, keywords, operators and the three string forms with Go's escape checks.
 */
import { goFormatU, goQuoteRune } from './go-strings.js';
import { LabelSyntaxError } from './label-syntax-error.js';

type TokenKind = 'lbrace' | 'rbrace' | 'comma' | 'eql' | 'op' | 'ident' | 'metric' | 'keyword' | 'string' | 'eof';

export interface Token {
  kind: TokenKind;
  pos: number;
  val: string;
}

const EOF = -1;
const RUNE_ERROR = 0xfffd;

/** Words that lex as keywords and are allowed as metric names by the grammar (`metric_identifier`). */
export const METRIC_KEYWORDS = new Set([
  'avg',
  'bottomk',
  'by',
  'count',
  'count_values',
  'group',
  'and',
  'or',
  'unless',
  'max',
  'min',
  'offset',
  'quantile',
  'stddev',
  'stdvar',
  'sum',
  'topk',
  'without',
  'start',
  'end',
  'limitk',
  'limit_ratio',
]);
/** Words that lex as keywords/numbers and are not valid metric names. */
const OTHER_KEYWORDS = new Set(['on', 'ignoring', 'group_left', 'group_right', 'bool', 'atan2', 'inf', 'nan', 'step']);

function isSpace(cp: number): boolean {
  return cp === 0x20 || cp === 0x09 || cp === 0x0a || cp === 0x0d;
}
function isAlpha(cp: number): boolean {
  return cp === 0x5f || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a);
}
function isDigit(cp: number): boolean {
  return cp >= 0x30 && cp <= 0x39;
}
function isAlphaNumeric(cp: number): boolean {
  return isAlpha(cp) || isDigit(cp);
}
export class Lexer {
  private pos = 0;
  private braceOpen = false;

  constructor(private readonly input: string) {}

  private fail(offset: number, detail: string): never {
    throw new LabelSyntaxError(this.input, offset, detail);
  }

  /** Reads one code point; lone surrogates read as U+FFFD (Go's RuneError). */
  private next(): number {
    if (this.pos >= this.input.length) {
      this.pos++;
      return EOF;
    }
    const cp = this.input.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    if (cp >= 0xd800 && cp <= 0xdfff) return RUNE_ERROR;
    return cp;
  }

  private peek(): number {
    const save = this.pos;
    const cp = this.next();
    this.pos = save;
    return cp;
  }

  private skipComment(): boolean {
    if (this.input.charCodeAt(this.pos) !== 0x23) return false;
    const nl = this.input.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.input.length : nl;
    return true;
  }

  nextToken(): Token {
    for (;;) {
      if (this.skipComment()) continue;
      const start = this.pos;
      const cp = this.next();
      if (this.braceOpen) {
        if (cp === EOF) {
          this.pos = this.input.length;
          this.fail(this.input.length, 'unexpected end of input inside braces');
        }
        if (isSpace(cp)) continue;
        if (isAlpha(cp)) {
          while (isAlphaNumeric(this.peek())) this.next();
          return { kind: 'ident', pos: start, val: this.input.slice(start, this.pos) };
        }
        switch (cp) {
          case 0x2c:
            return { kind: 'comma', pos: start, val: ',' };
          case 0x22:
          case 0x27:
            return this.lexString(start, cp);
          case 0x60:
            return this.lexRawString(start);
          case 0x3d:
            if (this.peek() === 0x7e) {
              this.next();
              return { kind: 'op', pos: start, val: '=~' };
            }
            return { kind: 'eql', pos: start, val: '=' };
          case 0x21: {
            const nr = this.next();
            if (nr === 0x7e) return { kind: 'op', pos: start, val: '!~' };
            if (nr === 0x3d) return { kind: 'op', pos: start, val: '!=' };
            return this.fail(start, `unexpected character after '!' inside braces: ${goQuoteRune(nr)}`);
          }
          case 0x7b:
            return this.fail(start, `unexpected left brace ${goQuoteRune(cp)}`);
          case 0x7d:
            this.braceOpen = false;
            return { kind: 'rbrace', pos: start, val: '}' };
          default:
            return this.fail(start, `unexpected character inside braces: ${goQuoteRune(cp)}`);
        }
      }
      if (cp === EOF) {
        this.pos = this.input.length;
        return { kind: 'eof', pos: this.input.length, val: '' };
      }
      if (isSpace(cp)) continue;
      if (cp === 0x2c) return { kind: 'comma', pos: start, val: ',' };
      if (cp === 0x7b) {
        this.braceOpen = true;
        return { kind: 'lbrace', pos: start, val: '{' };
      }
      if (cp === 0x7d) return this.fail(start, `unexpected right brace ${goQuoteRune(cp)}`);
      if (isAlpha(cp) || cp === 0x3a) {
        for (;;) {
          const c = this.peek();
          if (!(isAlphaNumeric(c) || c === 0x3a)) break;
          this.next();
        }
        const word = this.input.slice(start, this.pos);
        const lower = word.toLowerCase();
        if (METRIC_KEYWORDS.has(lower) || OTHER_KEYWORDS.has(lower)) return { kind: 'keyword', pos: start, val: word };
        return { kind: word.includes(':') ? 'metric' : 'ident', pos: start, val: word };
      }
      return this.fail(start, `unexpected character: ${goQuoteRune(cp)}`);
    }
  }

  private lexString(start: number, quote: number): Token {
    for (;;) {
      const cp = this.next();
      if (cp === 0x5c) {
        this.lexEscape(start, quote);
        continue;
      }
      if (cp === RUNE_ERROR) this.fail(start, 'invalid UTF-8 rune');
      if (cp === EOF || cp === 0x0a) this.fail(start, 'unterminated quoted string');
      if (cp === quote) break;
    }
    return { kind: 'string', pos: start, val: this.input.slice(start, this.pos) };
  }

  private lexEscape(start: number, quote: number): void {
    let ch = this.next();
    let n: number;
    let base: number;
    let max: number;
    switch (ch) {
      case 0x61:
      case 0x62:
      case 0x66:
      case 0x6e:
      case 0x72:
      case 0x74:
      case 0x76:
      case 0x5c:
        return;
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
        n = 3;
        base = 8;
        max = 255;
        break;
      case 0x78:
        ch = this.next();
        n = 2;
        base = 16;
        max = 255;
        break;
      case 0x75:
        ch = this.next();
        n = 4;
        base = 16;
        max = 0x10ffff;
        break;
      case 0x55:
        ch = this.next();
        n = 8;
        base = 16;
        max = 0x10ffff;
        break;
      case EOF:
        return this.fail(start, 'escape sequence not terminated');
      default:
        if (ch === quote) return;
        return this.fail(start, `unknown escape sequence ${goFormatU(ch)}`);
    }
    let x = 0;
    for (;;) {
      const d =
        ch >= 0x30 && ch <= 0x39
          ? ch - 0x30
          : ch >= 0x61 && ch <= 0x66
            ? ch - 0x61 + 10
            : ch >= 0x41 && ch <= 0x46
              ? ch - 0x41 + 10
              : 16;
      if (d >= base) {
        if (ch === EOF) this.fail(start, 'escape sequence not terminated');
        this.fail(start, `illegal character ${goFormatU(ch)} in escape sequence`);
      }
      x = x * base + d;
      n--;
      if (n === 0) break;
      ch = this.next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) this.fail(start, 'escape sequence is an invalid Unicode code point');
  }

  private lexRawString(start: number): Token {
    for (;;) {
      const cp = this.next();
      if (cp === RUNE_ERROR) this.fail(start, 'invalid UTF-8 rune');
      if (cp === EOF) this.fail(start, 'unterminated raw string');
      if (cp === 0x60) break;
    }
    return { kind: 'string', pos: start, val: this.input.slice(start, this.pos) };
  }
}
