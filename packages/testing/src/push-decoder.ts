/**
 * Turns a push request body into streams, as Loki's `ParseLokiRequest` (pkg/loghttp/push/push.go) does:
 * Content-Encoding, then Content-Type (JSON or snappy-block protobuf), then every stream's label string.
 * Any failure here rejects the whole request with 400.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { uncompressSync } from 'snappy';
import { decodePushRequestJson } from './json-push-decoder.js';
import { type LabelPair, LabelSyntaxError, parseLokiLabels } from './label-parser.js';
import { parseMediaType } from './media-type.js';
import { decodePushRequestProtobuf } from './protobuf-decoder.js';
import type { RawPushEntry, RawPushStream } from './push-model.js';

/** A stream whose label string parsed. */
export interface ParsedPushStream {
  /** Sorted pairs, empty values dropped, duplicates kept. */
  labels: LabelPair[];
  entries: RawPushEntry[];
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
  constructor(message: string, readonly uncompressedBytes: number, readonly entryCount = 0) {
    super(message);
    this.name = 'PushDecodeError';
  }
}

/** Options of {@link decodePushBody}. */
export interface PushDecodeOptions {
  rawJsonMetadataValues: boolean;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function zlibError(prefix: string, err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'Z_BUF_ERROR') return 'unexpected EOF';
  return `${prefix}: corrupt input (${errorText(err)})`;
}

function removeContentEncoding(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding ?? '') {
    case '':
    case 'snappy':
      return body;
    case 'gzip':
      if (body.length === 0) throw new PushDecodeError('EOF', 0);
      if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) throw new PushDecodeError('gzip: invalid header', body.length);
      try {
        return gunzipSync(body);
      } catch (err) {
        throw new PushDecodeError(zlibError('gzip', err), body.length);
      }
    case 'deflate':
      try {
        return inflateRawSync(body);
      } catch (err) {
        throw new PushDecodeError(zlibError('flate', err), body.length);
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
  const decoded = removeContentEncoding(body, contentEncoding);
  let format: 'json' | 'protobuf';
  let uncompressed = decoded;
  let raw: RawPushStream[];

  if (contentType === undefined || contentType === '') {
    // Loki 3.4.6 reads such a body as snappy protobuf; this receiver always rejects it.
    const proto = snappyDecode(decoded);
    throw new PushDecodeError(
      'missing Content-Type header: send Content-Type: application/x-protobuf or application/json ' +
        '(Loki 3.4.6 would read this body as snappy protobuf; this receiver is stricter)',
      proto.length,
    );
  }
  let mediaType: string;
  try {
    mediaType = parseMediaType(contentType);
  } catch (err) {
    throw new PushDecodeError(errorText(err), decoded.length);
  }
  if (mediaType === 'application/json') {
    format = 'json';
    try {
      raw = decodePushRequestJson(decoded.toString('utf8'), { rawMetadataValues: options.rawJsonMetadataValues });
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
      streams.push({ labels: parseLokiLabels(stream.labels), entries: stream.entries });
    } catch (err) {
      if (err instanceof LabelSyntaxError) {
        throw new PushDecodeError(`couldn't parse labels: ${err.message}`, uncompressed.length, entryCount);
      }
      throw new PushDecodeError(`couldn't parse labels: ${errorText(err)}`, uncompressed.length, entryCount);
    }
  }
  return { format, uncompressedBytes: uncompressed.length, streams, entryCount };
}
