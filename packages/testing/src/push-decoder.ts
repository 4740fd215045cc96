/**
 * Turns a push request body into streams, as Loki's `ParseLokiRequest` (pkg/loghttp/push/push.go) does:
 * Content-Encoding, then Content-Type (JSON or snappy-block protobuf), then every stream's label string.
 * Any failure here rejects the whole request with 400.
 */
import { isUtf8 } from 'node:buffer';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { uncompressSync } from 'snappy';
import { decodePushRequestJson } from './json-push-decoder.js';
import { decodeLegacyPushJson } from './legacy-push-decoder.js';
import { type LabelPair, LabelSyntaxError, parseLokiLabels } from './label-parser.js';
import { parseMediaType } from './media-type.js';
import { decodePushRequestProtobuf } from './protobuf-decoder.js';
import type { RawPushEntry, RawPushStream } from './push-model.js';

/** A stream whose label string parsed. */
export interface ParsedPushStream {
  /** Sorted pairs, empty values dropped, duplicates kept. */
  labels: LabelPair[];
  entries: RawPushEntry[];
  /**
   * A label value holds a U+FFFD that was written as an escape: Loki's parser accepts it, but the
   * distributor forwards the labels re-quoted with the character raw, and the ingester's parser then
   * rejects the stream (400 `invalid UTF-8 rune`, the other streams stored).
   */
  replacementCharInLabels: boolean;
  /**
   * OTLP only: the label text Loki's distributor failed to parse. The stream is then dropped with this
   * error (400, the other streams stored), where a Loki push fails as a whole.
   */
  labelError?: string;
}

/** The successfully decoded request. */
export interface DecodedPush {
  format: 'json' | 'protobuf';
  uncompressedBytes: number;
  streams: ParsedPushStream[];
  entryCount: number;
}

/** A body Loki would reject as a whole (400); carries what was learnt before failing. */
export class PushDecodeError extends Error {
  constructor(
    message: string,
    readonly uncompressedBytes: number,
    readonly entryCount = 0,
  ) {
    super(message);
    this.name = 'PushDecodeError';
  }
}

/** Options of {@link decodePushBody}. */
export interface PushDecodeOptions {
  rawJsonMetadataValues: boolean;
  /** The receiver's stricter JSON rules (see the README). */
  strict: boolean;
  /** `/api/prom/push`: JSON bodies use the legacy shape. */
  legacyJson?: boolean;
}

const ENCODED_REPLACEMENT_CHAR = Buffer.from([0xef, 0xbf, 0xbd]);

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isTruncated(err: unknown): boolean {
  return (err as { code?: string }).code === 'Z_BUF_ERROR';
}

/** Loki decompresses while decoding: a truncated gzip body ends inside jsoniter's read of the streams. */
function truncatedText(json: boolean): string {
  return json ? 'loghttp.PushRequest.Streams: []loghttp.LogProtoStream: unexpected EOF' : 'unexpected EOF';
}

function removeContentEncoding(body: Buffer, encoding: string | undefined, json: boolean): Buffer {
  switch (encoding ?? '') {
    case '':
    case 'snappy':
      return body;
    case 'gzip':
      try {
        return gunzipSync(body);
      } catch (err) {
        throw new PushDecodeError(
          isTruncated(err) ? truncatedText(json) : `gzip: invalid data (${errorText(err)})`,
          body.length,
        );
      }
    case 'deflate':
      try {
        return inflateRawSync(body);
      } catch {
        // What Loki 3.4.6 answered for zlib-wrapped and for garbage deflate bodies.
        throw new PushDecodeError('EOF', body.length);
      }
    default:
      throw new PushDecodeError(`Content-Encoding "${encoding}" not supported`, body.length);
  }
}

/** Snappy's worst-case expansion is below 22x; a larger claimed length is corrupt (and would waste memory). */
function snappyClaimedLength(buf: Buffer): number {
  let result = 0;
  let factor = 1;
  for (let i = 0; i < 5 && i < buf.length; i++) {
    const b = buf[i]!;
    result += (b & 0x7f) * factor;
    if (b < 0x80) return result;
    factor *= 128;
  }
  return -1;
}

function snappyDecode(body: Buffer): Buffer {
  const claimed = snappyClaimedLength(body);
  if (body.length === 0 || claimed < 0 || claimed > body.length * 22 + 64) {
    throw new PushDecodeError('snappy: corrupt input', body.length);
  }
  try {
    return uncompressSync(body, { asBuffer: true }) as Buffer;
  } catch {
    throw new PushDecodeError('snappy: corrupt input', body.length);
  }
}

function countEntries(streams: readonly RawPushStream[]): number {
  let n = 0;
  for (const s of streams) n += s.entries.length;
  return n;
}

/**
 * Decodes a push body. Throws {@link PushDecodeError} for anything Loki answers with a whole-request 400
 * (bad encoding, missing or unparseable Content-Type, decode errors, label syntax errors).
 */
export function decodePushBody(
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  options: PushDecodeOptions,
): DecodedPush {
  // Loki checks the Content-Encoding (and reads the gzip header), then parses the Content-Type, then reads the body.
  if (contentEncoding === 'gzip') {
    // Go's gzip.NewReader: io.ReadFull of the 10-byte header (EOF, unexpected EOF), then magic and method
    // (deflate = 8).
    if (body.length === 0) throw new PushDecodeError('EOF', 0);
    if (body.length < 10) throw new PushDecodeError('unexpected EOF', body.length);
    if (body[0] !== 0x1f || body[1] !== 0x8b || body[2] !== 0x08)
      throw new PushDecodeError('gzip: invalid header', body.length);
  } else if (
    contentEncoding !== undefined &&
    contentEncoding !== '' &&
    contentEncoding !== 'snappy' &&
    contentEncoding !== 'deflate'
  ) {
    throw new PushDecodeError(`Content-Encoding "${contentEncoding}" not supported`, body.length);
  }
  if (contentType === undefined || contentType === '') throw new PushDecodeError('mime: no media type', body.length);
  let mediaType: string;
  try {
    mediaType = parseMediaType(contentType);
  } catch (err) {
    throw new PushDecodeError(errorText(err), body.length);
  }
  const json = mediaType === 'application/json';
  const decoded = removeContentEncoding(body, contentEncoding, json);
  let format: 'json' | 'protobuf';
  let uncompressed = decoded;
  let raw: RawPushStream[];
  let replacedInvalidBytes = false;

  if (json) {
    format = 'json';
    const text = decoded.toString('utf8');
    replacedInvalidBytes = text.includes('\ufffd') && !isUtf8(decoded) && !decoded.includes(ENCODED_REPLACEMENT_CHAR);
    try {
      raw = options.legacyJson
        ? decodeLegacyPushJson(text, options.strict)
        : decodePushRequestJson(text, {
            rawMetadataValues: options.rawJsonMetadataValues,
            strict: options.strict,
            replacedInvalidBytes,
            bytes: decoded,
          });
    } catch (err) {
      throw new PushDecodeError(errorText(err), decoded.length);
    }
  } else {
    format = 'protobuf';
    uncompressed = snappyDecode(decoded);
    try {
      raw = decodePushRequestProtobuf(uncompressed);
    } catch (err) {
      throw new PushDecodeError(errorText(err), uncompressed.length);
    }
  }

  const entryCount = countEntries(raw);
  const streams: ParsedPushStream[] = [];
  for (const stream of raw) {
    try {
      const labels = parseLokiLabels(stream.labels);
      let replacementCharInLabels = false;
      // A raw U+FFFD already failed the parse; only an escaped one can be left (a rare, cheap test per stream).
      // Invalid bytes of a JSON body stay bytes in Go (quoted as \xff both times): not this case.
      if (!replacedInvalidBytes && stream.labels.indexOf('\\') >= 0)
        for (const l of labels) if (l.value.includes('\ufffd')) replacementCharInLabels = true;
      streams.push({ labels, entries: stream.entries, replacementCharInLabels });
    } catch (err) {
      if (err instanceof LabelSyntaxError) {
        throw new PushDecodeError(`couldn't parse labels: ${err.message}`, uncompressed.length, entryCount);
      }
      throw new PushDecodeError(`couldn't parse labels: ${errorText(err)}`, uncompressed.length, entryCount);
    }
  }
  return { format, uncompressedBytes: uncompressed.length, streams, entryCount };
}
