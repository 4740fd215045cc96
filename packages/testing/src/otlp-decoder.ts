/**
 * Turns an OTLP logs body into resource logs as Loki's `extractLogs` (pkg/loghttp/push/otlp.go) does: gunzip
 * when `Content-Encoding` is exactly `gzip` (any other value is ignored), then the `Content-Type`, which must be
 * exactly `application/x-protobuf` or `application/json` (no parameters). Every failure is a whole-request 400.
 */
import { gunzipSync } from 'node:zlib';
import { decodeOtlpLogsJson } from './otlp-json-decoder.js';
import type { OtlpResourceLogs } from './otlp-model.js';
import { decodeOtlpLogsProtobuf } from './otlp-protobuf-decoder.js';

/** A body Loki answers 400; carries the sizes learnt before failing. */
export class OtlpDecodeError extends Error {
  constructor(
    message: string,
    readonly uncompressedBytes: number,
  ) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

export interface DecodedOtlp {
  format: 'json' | 'protobuf';
  uncompressedBytes: number;
  resources: OtlpResourceLogs[];
}

/** Go's gzip reader texts for what Node's zlib reports. */
function gzipError(body: Buffer, err: unknown): string {
  // gzip.NewReader reads the 10-byte header first.
  if (body.length === 0) return 'EOF';
  if (body.length < 10) return 'unexpected EOF';
  if (body[0] !== 0x1f || body[1] !== 0x8b || body[2] !== 0x08) return 'gzip: invalid header';
  const e = err as { code?: string; message?: string };
  if (e.code === 'Z_BUF_ERROR') return 'unexpected EOF';
  if (e.message === 'incorrect data check' || e.message === 'incorrect length check') return 'gzip: invalid checksum';
  return `flate: corrupt input (${e.message ?? String(err)})`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Decodes an OTLP body; throws {@link OtlpDecodeError} with Loki's answer text. */
export function decodeOtlpBody(
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
): DecodedOtlp {
  let buf = body;
  if (contentEncoding === 'gzip') {
    try {
      buf = gunzipSync(body);
    } catch (err) {
      throw new OtlpDecodeError(gzipError(body, err), body.length);
    }
  }
  // Compared as sent, after the body was read: `application/json; charset=utf-8` is refused.
  if (contentType === 'application/x-protobuf') {
    try {
      return { format: 'protobuf', uncompressedBytes: buf.length, resources: decodeOtlpLogsProtobuf(buf) };
    } catch (err) {
      throw new OtlpDecodeError(errorText(err), buf.length);
    }
  }
  if (contentType === 'application/json') {
    try {
      return { format: 'json', uncompressedBytes: buf.length, resources: decodeOtlpLogsJson(buf) };
    } catch (err) {
      throw new OtlpDecodeError(errorText(err), buf.length);
    }
  }
  throw new OtlpDecodeError(`content type: ${contentType ?? ''} is not supported`, buf.length);
}
