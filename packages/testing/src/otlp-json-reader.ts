/**
 * The jsoniter reads pdata's OTLP/JSON decoder makes (vendored pdata internal/json, jsoniter ConfigFastest):
 * objects and arrays that may be `null`, strings with jsoniter's escapes (a lone surrogate becomes U+FFFD),
 * integers given as a JSON number or a decimal string, enums by number or name, and jsoniter's error text.
 */
import { JsonCursor } from './json-cursor.js';
import { JsonDecodeError } from './json-decode-error.js';

const U64_MAX = 2n ** 64n - 1n;
const INTEGER = /^-?\d+$/;

/** Go's `strconv.ParseInt`/`ParseUint` of a decimal string (a sign for signed only); the error text when not. */
function parseGoInteger(s: string, signed: boolean, bits: number): bigint | string {
  const fn = signed ? 'ParseInt' : 'ParseUint';
  if (!(signed ? /^[+-]?\d+$/ : /^\d+$/).test(s)) return `strconv.${fn}: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = BigInt(s.startsWith('+') ? s.slice(1) : s);
  const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
  const min = signed ? -(2n ** BigInt(bits - 1)) : 0n;
  if (n > max || n < min) return `strconv.${fn}: parsing ${JSON.stringify(s)}: value out of range`;
  return n;
}

export class OtlpJsonReader extends JsonCursor {
  /** The body held invalid UTF-8: a raw U+FFFD in a string then stands for such bytes. */
  constructor(
    s: string,
    private readonly bytes: Buffer,
    readonly invalidUtf8: boolean,
  ) {
    super(s);
  }

  /** jsoniter's `ReportError` text, with the whole body as its buffer. */
  report(operation: string, message: string): never {
    const head = Buffer.byteLength(this.s.slice(0, this.i), 'utf8');
    const peekStart = Math.max(0, head - 10);
    const parsing = this.bytes.toString('utf8', peekStart, Math.min(this.bytes.length, head + 10));
    const context = this.bytes.toString('utf8', Math.max(0, head - 50), Math.min(this.bytes.length, head + 50));
    throw new JsonDecodeError(
      `${operation}: ${message}, error found in #${head - peekStart} byte of ...|${parsing}|..., bigger context ...|${context}|...`,
    );
  }

  protected override fail(message: string): never {
    return this.report('ReadObjectCB', message);
  }

  /** `ReadObjectCB`: `null` is an object with no members; keys are decoded strings. */
  members(onMember: (key: string) => void): void {
    if (this.isNull()) return;
    if (this.kind() !== 'object') this.report('ReadObjectCB', `expect { or n, but found ${this.char()}`);
    this.object('object', (raw) => onMember(this.unescape(raw)));
  }

  /** `ReadArrayCB`: `null` is an empty array. */
  elements(onElement: () => void): void {
    if (this.isNull()) return;
    if (this.kind() !== 'array') this.report('ReadArrayCB', `expect [ or n, but found ${this.char()}`);
    this.array('array', () => onElement());
  }

  skip(): void {
    this.skipValue();
  }

  /** `ReadString`: `null` reads as "". */
  string(): string {
    if (this.isNull()) return '';
    if (this.kind() !== 'string') this.report('ReadString', `expects " or n, but found ${this.char()}`);
    return this.unescape(this.rawString());
  }

  /** A string that may stand for invalid UTF-8 bytes (see the constructor). */
  stringChecked(): { value: string; utf8: boolean } {
    const value = this.string();
    return { value, utf8: !(this.invalidUtf8 && value.includes('\ufffd')) };
  }

  bool(): boolean {
    const c = this.peek();
    if (c === 't' && this.s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (c === 'f' && this.s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    return this.report('ReadBool', `expect t or f, but found ${this.char()}`);
  }

  /** pdata's `ReadInt64`/`ReadUint64`/`ReadUint32`/`ReadInt32`: a JSON number or a decimal string. */
  integer(signed: boolean, bits: number, operation: string): bigint {
    const kind = this.kind();
    if (kind === 'number') {
      const text = this.skipValue();
      if (!INTEGER.test(text) || (!signed && text.startsWith('-')))
        this.report(operation, `unexpected character in number: ${text}`);
      const n = BigInt(text);
      const max = signed ? 2n ** BigInt(bits - 1) - 1n : bits === 64 ? U64_MAX : 2n ** BigInt(bits) - 1n;
      if (n > max || (signed && n < -(2n ** BigInt(bits - 1)))) this.report(operation, 'overflow');
      return n;
    }
    if (kind === 'string') {
      const parsed = parseGoInteger(this.string(), signed, bits);
      if (typeof parsed === 'string') this.report(operation, parsed);
      return parsed;
    }
    return this.report(operation, 'unsupported value type');
  }

  /** pdata's `ReadFloat64`: a JSON number or a string Go's `ParseFloat` reads. */
  float(): number {
    const kind = this.kind();
    if (kind === 'number') return Number(this.skipValue());
    if (kind === 'string') {
      const s = this.string();
      const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
      if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
      return this.report('ReadUint64', `strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
    }
    return this.report('ReadUint64', 'unsupported value type');
  }

  /** pdata's `ReadEnumValue`: a number (int32) or one of the enum's names. */
  enumValue(names: ReadonlyMap<string, number>): number {
    const kind = this.kind();
    if (kind === 'number') return Number(this.integer(true, 32, 'ReadInt32'));
    if (kind === 'string') {
      const value = names.get(this.string());
      return value ?? this.report('ReadEnumValue', 'unknown string value');
    }
    return this.report('ReadEnumValue', 'unsupported value type');
  }

  private char(): string {
    return this.i >= this.s.length ? '\\x00' : this.s[this.i]!;
  }

  /** jsoniter's escapes: `\uD800` without its pair is U+FFFD; an unknown escape is an error. */
  private unescape(raw: string): string {
    if (raw.indexOf('\\') < 0) return raw;
    let out = '';
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k]!;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = raw[++k];
      const simple = e === undefined ? undefined : ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        continue;
      }
      if (e !== 'u') this.report('ReadString', `invalid escape char after \\`);
      const hex = raw.slice(k + 1, k + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.report('readU4', 'expects 0~9 or a~f, but found ' + hex);
      k += 4;
      const unit = parseInt(hex, 16);
      const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(raw.slice(k + 1));
      if (unit >= 0xd800 && unit < 0xdc00 && low) {
        out += String.fromCharCode(unit, parseInt(low[1]!, 16));
        k += 6;
      } else out += unit >= 0xd800 && unit <= 0xdfff ? '\ufffd' : String.fromCharCode(unit);
    }
    return out;
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
