/**
 * Decoder for the JSON push body (`{"streams":[{"stream":{…},"values":[["<ns>","<line>",{…}]]}]}`),
 * following Loki 3.4.6 (pkg/loghttp/query.go, labels.go) where it is strict, and stricter where the
 * receiver documents it: label values and structured-metadata values must be strings, and an entry
 * tuple may have at most three elements.
 */
import { goQuote } from './go-strings.js';
import { renderJsonStreamLabels } from './label-format.js';
import type { RawPushEntry, RawPushStream } from './push-model.js';

/** A JSON body Loki (or this stricter receiver) rejects as a whole (answered 400). */
export class JsonDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonDecodeError';
  }
}

/** Options of {@link decodePushRequestJson}. */
export interface JsonDecodeOptions {
  /** Keep structured-metadata values as the raw JSON text between the quotes (Loki 3.4.6). */
  rawMetadataValues: boolean;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

interface JsonString {
  value: string;
  raw: string;
}

class JsonPushParser {
  private i = 0;
  private nextBackslash = -1;

  constructor(private readonly s: string, private readonly options: JsonDecodeOptions) {
    this.nextBackslash = s.indexOf('\\');
  }

  private fail(message: string): never {
    throw new JsonDecodeError(`${message} (at offset ${this.i})`);
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  private peek(): string {
    this.ws();
    return this.s[this.i] ?? '';
  }

  private expect(ch: string, what: string): void {
    if (this.peek() !== ch) this.fail(`expected ${what}, found ${this.found()}`);
    this.i++;
  }

  private found(): string {
    const c = this.s[this.i];
    if (c === undefined) return 'end of input';
    if (c === '"') return 'a string';
    if (c === '{') return 'an object';
    if (c === '[') return 'an array';
    if (c === 't' || c === 'f') return 'a boolean';
    if (c === 'n') return 'null';
    if (c === '-' || (c >= '0' && c <= '9')) return 'a number';
    return `'${c}'`;
  }

  private kind(): 'string' | 'number' | 'object' | 'array' | 'boolean' | 'null' | 'invalid' {
    const c = this.peek();
    if (c === '"') return 'string';
    if (c === '{') return 'object';
    if (c === '[') return 'array';
    if (c === 't' || c === 'f') return 'boolean';
    if (c === 'n') return 'null';
    if (c === '-' || (c >= '0' && c <= '9')) return 'number';
    return 'invalid';
  }

  private string(): JsonString {
    this.ws();
    const s = this.s;
    if (s[this.i] !== '"') this.fail(`expected a string, found ${this.found()}`);
    const start = this.i + 1;
    const close = s.indexOf('"', start);
    if (close < 0) this.fail('unterminated string');
    if (this.nextBackslash >= 0 && this.nextBackslash < start) this.nextBackslash = s.indexOf('\\', start);
    if (this.nextBackslash < 0 || this.nextBackslash > close) {
      this.i = close + 1;
      const v = s.slice(start, close);
      return { value: v, raw: v };
    }
    let out = '';
    let i = start;
    let nb = this.nextBackslash;
    for (;;) {
      const q = s.indexOf('"', i);
      if (q < 0) {
        this.i = s.length;
        this.fail('unterminated string');
      }
      if (nb < 0 || nb > q) {
        out += s.slice(i, q);
        i = q;
        break;
      }
      out += s.slice(i, nb);
      i = nb;
      const e = s[i + 1];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = s.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.i = i;
            this.fail('invalid \\u escape in string');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.i = i;
          this.fail(`invalid escape '\\${e ?? ''}' in string`);
      }
      i += 2;
      nb = s.indexOf('\\', i);
    }
    this.i = i + 1;
    this.nextBackslash = nb;
    return { value: out, raw: s.slice(start, i) };
  }

  private skipValue(): void {
    switch (this.kind()) {
      case 'string':
        this.string();
        return;
      case 'number':
        this.number();
        return;
      case 'boolean':
      case 'null':
        this.literal();
        return;
      case 'object':
        this.i++;
        if (this.peek() === '}') {
          this.i++;
          return;
        }
        for (;;) {
          this.string();
          this.expect(':', "':'");
          this.skipValue();
          const c = this.peek();
          this.i++;
          if (c === '}') return;
          if (c !== ',') this.fail("expected ',' or '}' in object");
        }
      case 'array':
        this.i++;
        if (this.peek() === ']') {
          this.i++;
          return;
        }
        for (;;) {
          this.skipValue();
          const c = this.peek();
          this.i++;
          if (c === ']') return;
          if (c !== ',') this.fail("expected ',' or ']' in array");
        }
      default:
        this.fail(`expected a JSON value, found ${this.found()}`);
    }
  }

  private number(): string {
    this.ws();
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('invalid number');
    this.i += m[0].length;
    return m[0];
  }

  private literal(): void {
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail('invalid literal');
  }

  /** Iterates the members of an object whose `{` is next; `onMember` must consume the value. */
  private object(what: string, onMember: (key: string) => void): void {
    this.expect('{', `${what} to be an object`);
    if (this.peek() === '}') {
      this.i++;
      return;
    }
    for (;;) {
      const key = this.string().value;
      this.expect(':', "':'");
      onMember(key);
      const c = this.peek();
      this.i++;
      if (c === '}') return;
      if (c !== ',') this.fail(`expected ',' or '}' in ${what}`);
    }
  }

  /** Iterates the elements of an array whose `[` is next; `onElement` must consume the value. */
  private array(what: string, onElement: (index: number) => void): void {
    this.expect('[', `${what} to be an array`);
    if (this.peek() === ']') {
      this.i++;
      return;
    }
    for (let index = 0; ; index++) {
      onElement(index);
      const c = this.peek();
      this.i++;
      if (c === ']') return;
      if (c !== ',') this.fail(`expected ',' or ']' in ${what}`);
    }
  }

  private isNull(): boolean {
    if (this.kind() === 'null' && this.s.startsWith('null', this.i)) {
      this.i += 4;
      return true;
    }
    return false;
  }

  parse(): RawPushStream[] {
    this.ws();
    if (this.i >= this.s.length) throw new JsonDecodeError('EOF: the request body is empty');
    let streams: RawPushStream[] = [];
    this.object('the request body', (key) => {
      if (key !== 'streams') return this.skipValue();
      if (this.isNull()) {
        streams = [];
        return;
      }
      const list: RawPushStream[] = [];
      this.array('"streams"', () => list.push(this.stream()));
      streams = list;
    });
    this.ws();
    if (this.i < this.s.length) this.fail('unexpected content after the JSON object');
    return streams;
  }

  private stream(): RawPushStream {
    let labels = new Map<string, string>();
    let entries: RawPushEntry[] = [];
    this.object('a stream', (key) => {
      if (key === 'stream') {
        labels = new Map();
        if (this.isNull()) return;
        const current = labels;
        this.object('"stream"', (name) => {
          const kind = this.kind();
          if (kind !== 'string') {
            this.fail(`stream label ${goQuote(name)} has a ${kind} value; label values must be JSON strings (stricter than Loki, which stringifies them)`);
          }
          current.set(name, this.string().value);
        });
      } else if (key === 'values') {
        entries = [];
        if (this.isNull()) return;
        const list = entries;
        this.array('"values"', () => list.push(this.entry()));
      } else this.skipValue();
    });
    return { labels: renderJsonStreamLabels([...labels]), entries };
  }

  private entry(): RawPushEntry {
    let timestampNs: bigint | undefined;
    let line = '';
    const metadata: Array<[string, string]> = [];
    this.array('an entry', (index) => {
      if (index === 0) {
        const kind = this.kind();
        if (kind !== 'string') {
          if (kind === 'number') {
            this.fail(`Value is string, but can't find closing '"' symbol: the timestamp must be a JSON string of decimal nanoseconds, not a number`);
          }
          this.fail(`the timestamp must be a JSON string of decimal nanoseconds, found ${this.found()}`);
        }
        timestampNs = parseInt64(this.string().value);
      } else if (index === 1) {
        if (this.kind() !== 'string') this.fail(`the log line must be a JSON string, found ${this.found()}`);
        line = this.string().value;
      } else if (index === 2) {
        if (this.kind() !== 'object') this.fail(`structured metadata (third tuple element) must be a JSON object, found ${this.found()}`);
        this.object('structured metadata', (name) => {
          const kind = this.kind();
          if (kind !== 'string') this.fail(`structured metadata ${goQuote(name)} has a ${kind} value; values must be JSON strings`);
          const v = this.string();
          metadata.push([name, this.options.rawMetadataValues ? v.raw : v.value]);
        });
      } else {
        this.fail(`an entry has more than 3 elements; expected ["<ns>", "<line>"] or ["<ns>", "<line>", {…}] (stricter than Loki, which ignores extra elements)`);
      }
    });
    if (timestampNs === undefined) this.fail('an entry is an empty array; expected ["<ns>", "<line>"]');
    return { timestampNs, line, lineBytes: Buffer.byteLength(line, 'utf8'), metadata };
  }
}

/** Go's `strconv.ParseInt(s, 10, 64)`. */
function parseInt64(s: string): bigint {
  if (!/^[+-]?\d+$/.test(s)) throw new JsonDecodeError(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) throw new JsonDecodeError(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  return v;
}

/** Decodes a JSON push body. An absent or `null` `streams` gives an empty list. Throws {@link JsonDecodeError}. */
export function decodePushRequestJson(text: string, options: JsonDecodeOptions): RawPushStream[] {
  return new JsonPushParser(text, options).parse();
}
