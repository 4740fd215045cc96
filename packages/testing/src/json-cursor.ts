/**
 * A cursor over JSON text: whitespace, value kinds, raw strings, skipping a value, and walking the members
 * of an object or the elements of an array. A syntax error throws {@link JsonDecodeError} with the offset.
 */
import { JsonDecodeError } from './json-decode-error.js';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

type ValueType = 'string' | 'number' | 'object' | 'array' | 'boolean' | 'null' | 'invalid';

export class JsonCursor {
  protected i = 0;
  private nextBackslash: number;

  constructor(protected readonly s: string) {
    this.nextBackslash = s.indexOf('\\');
  }

  protected fail(message: string): never {
    throw new JsonDecodeError(`${message} (at offset ${this.i})`);
  }

  protected ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  protected peek(): string {
    this.ws();
    return this.s[this.i] ?? '';
  }

  protected expect(ch: string, what: string): void {
    if (this.peek() !== ch) this.fail(`expected ${what}, found ${this.found()}`);
    this.i++;
  }

  protected found(): string {
    const t = this.kind();
    if (t === 'invalid') return this.i >= this.s.length ? 'end of input' : `'${this.s[this.i]}'`;
    return t === 'null' ? 'null' : `a ${t}`;
  }

  protected kind(): ValueType {
    const c = this.peek();
    if (c === '"') return 'string';
    if (c === '{') return 'object';
    if (c === '[') return 'array';
    if (c === 't' || c === 'f') return 'boolean';
    if (c === 'n') return 'null';
    if (c === '-' || (c >= '0' && c <= '9')) return 'number';
    return 'invalid';
  }

  /** The raw text between the quotes of the string at the cursor (escapes not decoded, not checked). */
  protected rawString(): string {
    this.ws();
    const s = this.s;
    if (s[this.i] !== '"') this.fail(`expected a string, found ${this.found()}`);
    const start = this.i + 1;
    if (this.nextBackslash >= 0 && this.nextBackslash < start) this.nextBackslash = s.indexOf('\\', start);
    let j = start;
    for (;;) {
      const q = s.indexOf('"', j);
      if (q < 0) {
        this.i = s.length;
        this.fail('unterminated string');
      }
      const b = this.nextBackslash;
      if (b < 0 || b > q) {
        this.i = q + 1;
        return s.slice(start, q);
      }
      // Skip the escaped character (it may be a quote) and look again.
      j = b + 2;
      this.nextBackslash = s.indexOf('\\', j);
    }
  }

  /** Skips any value; returns its raw text (for strings: between the quotes). */
  protected skipValue(): string {
    const start = this.i;
    switch (this.kind()) {
      case 'string':
        return this.rawString();
      case 'number': {
        NUMBER.lastIndex = this.i;
        const m = NUMBER.exec(this.s);
        if (!m) this.fail('invalid number');
        this.i += m[0].length;
        return m[0];
      }
      case 'boolean':
      case 'null':
        for (const word of ['true', 'false', 'null']) {
          if (this.s.startsWith(word, this.i)) {
            this.i += word.length;
            return word;
          }
        }
        return this.fail('invalid literal');
      case 'object':
        this.i++;
        if (this.peek() === '}') {
          this.i++;
          return this.s.slice(start, this.i);
        }
        for (;;) {
          this.rawString();
          this.expect(':', "':'");
          this.skipValue();
          const c = this.peek();
          this.i++;
          if (c === '}') return this.s.slice(start, this.i);
          if (c !== ',') this.fail("expected ',' or '}' in object");
        }
      case 'array':
        this.i++;
        if (this.peek() === ']') {
          this.i++;
          return this.s.slice(start, this.i);
        }
        for (;;) {
          this.skipValue();
          const c = this.peek();
          this.i++;
          if (c === ']') return this.s.slice(start, this.i);
          if (c !== ',') this.fail("expected ',' or ']' in array");
        }
      default:
        return this.fail(`expected a JSON value, found ${this.found()}`);
    }
  }

  /** Iterates the members of an object whose `{` is next; `onMember` gets the raw key and must consume the value. */
  protected object(what: string, onMember: (rawKey: string) => void): void {
    this.expect('{', `${what} to be an object`);
    if (this.peek() === '}') {
      this.i++;
      return;
    }
    for (;;) {
      const key = this.rawString();
      this.expect(':', "':'");
      onMember(key);
      const c = this.peek();
      this.i++;
      if (c === '}') return;
      if (c !== ',') this.fail(`expected ',' or '}' in ${what}`);
    }
  }

  /** Iterates the elements of an array whose `[` is next; `onElement` must consume the value. */
  protected array(what: string, onElement: (index: number) => void): void {
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

  protected isNull(): boolean {
    if (this.kind() === 'null' && this.s.startsWith('null', this.i)) {
      this.i += 4;
      return true;
    }
    return false;
  }
}
