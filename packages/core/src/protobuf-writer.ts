// The protobuf wire primitives our hand-written encoders share: varint sizes, UTF-8 byte counts as
// Buffer counts them, and a writer into one preallocated Buffer (no intermediate objects).

/** Strings up to this many UTF-16 units are measured and written in JS: a native call costs more. */
const SHORT = 24;

/** Buffer's own UTF-8 writer, without `write()`'s argument parsing (protobufjs uses it too); `write()` else. */
type Utf8Write = (this: Buffer, text: string, offset: number, length: number) => number;
const utf8Write: Utf8Write =
  (Buffer.prototype as unknown as { utf8Write?: Utf8Write }).utf8Write ??
  function (this: Buffer, text: string, offset: number, length: number): number {
    return this.write(text, offset, length, 'utf8');
  };

/** The same for ASCII (latin1 writes one byte per character): `write()` parses its arguments first. */
const latin1Write: Utf8Write =
  (Buffer.prototype as unknown as { latin1Write?: Utf8Write }).latin1Write ??
  function (this: Buffer, text: string, offset: number, length: number): number {
    return this.write(text, offset, length, 'latin1');
  };

export function varintSize(n: number): number {
  // Most are lengths of short strings and messages: one or two bytes, no loop.
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

export function bigVarintSize(n: bigint): number {
  let v = n < 0n ? BigInt.asUintN(64, n) : n;
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

/**
 * UTF-8 byte count, as Buffer counts it: a lone surrogate is 3 bytes (it is written as U+FFFD).
 * Short strings in JS, long ones natively.
 */
export function utf8Length(s: string): number {
  const n = s.length;
  if (n > SHORT) return Buffer.byteLength(s, 'utf8');
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c < 0xd800 || c > 0xdbff || i + 1 >= n || (s.charCodeAt(i + 1) & 0xfc00) !== 0xdc00) bytes += 2;
    else {
      bytes += 2; // a surrogate pair: 4 bytes for 2 units
      i++;
    }
  }
  return bytes;
}

export class Writer {
  pos = 0;
  /** A string wrote other than the byte count it was sized with (an entry's `bytes` was wrong). */
  mismatch = false;
  constructor(readonly buf: Buffer) {}
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  varint(n: number): void {
    if (n < 0x80) {
      this.buf[this.pos++] = n;
      return;
    }
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  bigVarint(n: bigint): void {
    let v = n < 0n ? BigInt.asUintN(64, n) : n;
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }
  /** A string of `bytes` UTF-8 bytes; lone surrogates become U+FFFD, as Buffer writes them. */
  string(s: string, bytes: number): void {
    const n = s.length;
    this.varint(bytes);
    if (n > SHORT) {
      if (utf8Write.call(this.buf, s, this.pos, bytes) !== bytes) this.mismatch = true;
      this.pos += bytes;
      return;
    }
    const buf = this.buf;
    const end = this.pos + bytes;
    let pos = this.pos;
    let i = 0;
    for (; i < n && pos < end; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) buf[pos++] = c;
      else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && (next & 0xfc00) === 0xdc00) {
            c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            i++;
            buf[pos++] = 0xf0 | (c >> 18);
            buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
            buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
            buf[pos++] = 0x80 | (c & 0x3f);
            continue;
          }
          c = 0xfffd;
        }
        buf[pos++] = 0xe0 | (c >> 12);
        buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
        buf[pos++] = 0x80 | (c & 0x3f);
      }
    }
    // Too few bytes stop the loop before the string's end, too many leave a gap: both are a wrong count.
    if (pos !== end || i < n) this.mismatch = true;
    this.pos = end;
  }
  /** An ASCII string: one byte per character. Short ones by hand (a native call costs more). */
  ascii(s: string): void {
    const n = s.length;
    this.varint(n);
    if (n <= 48) {
      const buf = this.buf;
      let pos = this.pos;
      for (let k = 0; k < n; k++) buf[pos++] = s.charCodeAt(k);
      this.pos = pos;
    } else this.pos += latin1Write.call(this.buf, s, this.pos, n);
  }
}
