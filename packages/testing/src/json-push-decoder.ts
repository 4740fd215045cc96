/**
 * Decoder for the JSON push body (`{"streams":[{"stream":{…},"values":[["<ns>","<line>",{…}]]}]}`), as
 * Loki 3.4.6 decodes it: jsoniter walks the request and hands each stream object to
 * `LogProtoStream.UnmarshalJSON` (pkg/loghttp/query.go, labels.go), which reads it with jsonparser.
 * The quirks that follow from that are reproduced: trailing bytes after the body are ignored, label values
 * of any JSON type are stringified, `null` entries are skipped, tuple elements past the third are ignored,
 * an entry's error is the *last* one its elements produced (the element index does not advance after an
 * error), and a stream's error is reported in jsoniter's `… error found in #10 byte of …` form.
 * With `strict`, the receiver's stricter rules apply on top (see the README).
 */
import { goQuote } from './go-strings.js';
import { JsonCursor } from './json-cursor.js';
import { JsonDecodeError } from './json-decode-error.js';
import { unescapeJsonString } from './json-unescape.js';
import { renderJsonStreamLabels } from './label-format.js';
import type { RawPushEntry, RawPushStream } from './push-model.js';

/** Options of {@link decodePushRequestJson}. */
export interface JsonDecodeOptions {
  /** Keep structured-metadata values as the raw JSON text between the quotes (Loki 3.4.6). */
  rawMetadataValues: boolean;
  /** The receiver's stricter rules: string label values, at most 3 tuple elements, nothing after the body. */
  strict: boolean;
  /**
   * The body held invalid UTF-8 bytes (decoded as U+FFFD): Go keeps such bytes and quotes them as `\xff`,
   * which Loki's label parser accepts, so these U+FFFD are written as an escape in the label text.
   */
  replacedInvalidBytes: boolean;
  /** The raw body, for the byte context of jsoniter's error text. */
  bytes?: Buffer;
}

// jsonparser's error values (vendor/github.com/grafana/jsonparser/parser.go).
const MALFORMED_STRING = `Value is string, but can't find closing '"' symbol`;
const MALFORMED_ARRAY = "Value is array, but can't find closing ']' symbol";
const MALFORMED_OBJECT = "Value looks like object, but can't find closing '}' symbol";
const MALFORMED_VALUE = "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol";
const OVERFLOW_INTEGER = 'Value is number, but overflowed while parsing';
const MALFORMED_STRING_ESCAPE = 'Encountered an invalid escape sequence in a string';

/** An error LogProtoStream.UnmarshalJSON returns; jsoniter reports it with the byte context. */
class StreamValueError extends Error {}

const MAX_INT64 = 2n ** 63n - 1n;
/** jsoniter's Decoder reads the body in chunks of this size; its error context is taken from the current chunk. */
const JSONITER_BUFFER_BYTES = 512;

/** jsonparser's `parseInt` (via `ParseInt`): an optional `-`, digits, no leading zero, int64 range. */
function parseTimestamp(raw: string): bigint | string {
  const neg = raw.charCodeAt(0) === 0x2d;
  const digits = neg ? raw.slice(1) : raw;
  if (digits === '') return MALFORMED_VALUE;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return MALFORMED_VALUE;
  }
  // "Deal with invalid data such as 00": a zero digit followed by more digits (jsonparser bytes.go).
  if (digits.length > 1 && digits.charCodeAt(0) === 0x30) return MALFORMED_VALUE;
  if (digits.length > 20) return OVERFLOW_INTEGER;
  const n = BigInt(digits);
  if (n > MAX_INT64 + (neg ? 1n : 0n)) return OVERFLOW_INTEGER;
  return neg ? -n : n;
}

/** Go's zero `time.Time` (year 1), what an entry without a timestamp element gets. */
const GO_ZERO_TIME_NS = -62135596800n * 1_000_000_000n;

/** jsonparser's ObjectEach key: unescaped when it has an escape. */
function objectKey(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  const v = unescapeJsonString(raw);
  if (v === undefined) throw new StreamValueError(MALFORMED_STRING_ESCAPE);
  return v;
}

class JsonPushParser extends JsonCursor {
  constructor(
    s: string,
    private readonly options: JsonDecodeOptions,
  ) {
    super(s);
  }

  /** A string decoded with jsonparser's rules; `onError` is the message when an escape is invalid. */
  private decodedString(onError: string): string {
    const raw = this.rawString();
    if (raw.indexOf('\\') < 0) return raw;
    const v = unescapeJsonString(raw);
    if (v === undefined) throw new StreamValueError(onError);
    return v;
  }
  parse(): RawPushStream[] {
    this.ws();
    if (this.i >= this.s.length) throw new JsonDecodeError('EOF');
    let streams: RawPushStream[] = [];
    this.object('the request body', (rawKey) => {
      // jsoniter matches struct fields case-insensitively.
      if (rawKey.length !== 7 || rawKey.toLowerCase() !== 'streams') return void this.skipValue();
      if (this.isNull()) {
        streams = [];
        return;
      }
      const list: RawPushStream[] = [];
      this.array('"streams"', () => {
        const start = this.i;
        try {
          list.push(this.stream());
        } catch (err) {
          if (!(err instanceof StreamValueError)) throw err;
          // jsoniter captured the whole stream object before handing it over: its error points after it.
          this.i = start;
          this.ws();
          this.skipValue();
          throw new JsonDecodeError(this.jsoniterError(`unmarshalerDecoder: ${err.message}`));
        }
      });
      streams = list;
    });
    if (this.options.strict) {
      this.ws();
      if (this.i < this.s.length) this.fail('unexpected content after the JSON object (strict; Loki ignores it)');
    }
    return streams;
  }

  /** jsoniter's `ReportError` text, wrapped by the slice and struct decoders, with the cursor at `this.i`. */
  private jsoniterError(message: string): string {
    const bytes = this.options.bytes ?? Buffer.from(this.s, 'utf8');
    const head = Buffer.byteLength(this.s.slice(0, this.i), 'utf8');
    const chunkStart = head === 0 ? 0 : Math.floor((head - 1) / JSONITER_BUFFER_BYTES) * JSONITER_BUFFER_BYTES;
    const chunk = bytes.subarray(chunkStart, Math.min(bytes.length, chunkStart + JSONITER_BUFFER_BYTES));
    const h = head - chunkStart;
    const peekStart = Math.max(0, h - 10);
    const parsing = chunk.toString('utf8', peekStart, Math.min(chunk.length, h + 10));
    const context = chunk.toString('utf8', Math.max(0, h - 50), Math.min(chunk.length, h + 50));
    return `loghttp.PushRequest.Streams: []loghttp.LogProtoStream: ${message}, error found in #${h - peekStart} byte of ...|${parsing}|..., bigger context ...|${context}|...`;
  }

  private stream(): RawPushStream {
    let labels: Map<string, string> | undefined;
    let entries: RawPushEntry[] = [];
    if (this.kind() !== 'object') {
      this.skipValue();
      throw new StreamValueError(MALFORMED_OBJECT);
    }
    this.object('a stream', (rawKey) => {
      const key = objectKey(rawKey);
      if (key === 'stream') {
        if (this.kind() !== 'object') {
          this.skipValue();
          throw new StreamValueError(MALFORMED_OBJECT);
        }
        const current = (labels ??= new Map());
        this.object('"stream"', (rawName) => {
          const name = objectKey(rawName);
          const kind = this.kind();
          if (kind !== 'string' && this.options.strict) {
            this.fail(
              `stream label ${goQuote(name)} has a ${kind} value; label values must be JSON strings (strict; Loki stringifies them)`,
            );
          }
          // Loki's LabelSet: ParseString on the raw value (any type), then on the already unescaped name.
          const raw = this.skipValue();
          const value = raw.indexOf('\\') < 0 ? raw : unescapeJsonString(raw);
          if (value === undefined) throw new StreamValueError(MALFORMED_VALUE);
          const twice = name.indexOf('\\') < 0 ? name : unescapeJsonString(name);
          if (twice === undefined) throw new StreamValueError(MALFORMED_VALUE);
          current.set(twice, value);
        });
      } else if (key === 'values') {
        if (this.isNull()) return;
        if (this.kind() !== 'array') {
          this.skipValue();
          throw new StreamValueError(MALFORMED_ARRAY);
        }
        const list: RawPushEntry[] = [];
        this.array('"values"', () => {
          if (this.isNull()) return;
          list.push(this.entry());
        });
        entries = list;
      } else this.skipValue();
    });
    let text = renderJsonStreamLabels(labels ? [...labels] : []);
    if (this.options.replacedInvalidBytes) text = text.replaceAll('\ufffd', '\\ufffd');
    return { labels: text, entries };
  }

  /** One entry, with jsonparser's element state machine (see the file comment). */
  private entry(): RawPushEntry {
    if (this.kind() !== 'array') {
      this.skipValue();
      throw new StreamValueError(MALFORMED_ARRAY);
    }
    let timestampNs = GO_ZERO_TIME_NS;
    let line = '';
    let metadata: Array<[string, string]> = [];
    let index = 0;
    let error: string | undefined;
    let elements = 0;
    this.array('an entry', () => {
      elements++;
      const kind = this.kind();
      if ((index === 0 || index === 1) && kind !== 'string') {
        this.skipValue();
        error = MALFORMED_STRING;
        return;
      }
      if (index === 2 && kind !== 'object') {
        this.skipValue();
        error = MALFORMED_OBJECT;
        return;
      }
      if (index === 0) {
        const ts = parseTimestamp(this.rawString());
        if (typeof ts === 'string') {
          error = ts;
          return;
        }
        timestampNs = ts;
      } else if (index === 1) {
        try {
          line = this.decodedString(MALFORMED_VALUE);
        } catch (err) {
          if (!(err instanceof StreamValueError)) throw err;
          error = err.message;
          return;
        }
      } else if (index === 2) {
        const pairs: Array<[string, string]> = [];
        let failed: string | undefined;
        this.object('structured metadata', (rawName) => {
          if (failed !== undefined) return void this.skipValue();
          let name: string;
          try {
            name = objectKey(rawName);
          } catch {
            failed = MALFORMED_STRING_ESCAPE;
            return void this.skipValue();
          }
          if (this.kind() !== 'string') {
            failed = MALFORMED_STRING;
            return void this.skipValue();
          }
          const raw = this.rawString();
          if (this.options.rawMetadataValues) pairs.push([name, raw]);
          else {
            const v = unescapeJsonString(raw);
            if (v === undefined) failed = MALFORMED_VALUE;
            else pairs.push([name, v]);
          }
        });
        if (failed !== undefined) {
          error = failed;
          return;
        }
        metadata = pairs;
      } else {
        if (this.options.strict) {
          this.fail('an entry has more than 3 elements (strict; Loki ignores the extra elements)');
        }
        this.skipValue();
      }
      index++;
    });
    if (error !== undefined) throw new StreamValueError(error);
    if (elements === 0 && this.options.strict)
      this.fail('an entry is an empty array (strict; Loki stores it at year 1, then rejects it as too old)');
    return { timestampNs, line, lineBytes: Buffer.byteLength(line, 'utf8'), metadata };
  }
}

/** Decodes a JSON push body. An absent or `null` `streams` gives an empty list. Throws {@link JsonDecodeError}. */
export function decodePushRequestJson(text: string, options: JsonDecodeOptions): RawPushStream[] {
  return new JsonPushParser(text, options).parse();
}
