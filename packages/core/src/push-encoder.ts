import { gzipSync } from 'node:zlib';
import { encodePushRequestJson } from './encode-json.js';
import { encodeOtlpJson } from './encode-otlp-json.js';
import { encodeOtlpProtobuf } from './encode-otlp-protobuf.js';
import { encodePushRequestProtobuf } from './encode-protobuf.js';
import type { ResolvedOptions } from './options.js';
import { groupByResource } from './otlp-mapping.js';
import type { LokiEntry } from './record.js';
import { snappyCompressor } from './snappy-compress.js';
import { groupByStream } from './stream-groups.js';
import { TRACE_FIELD_NAMES } from './trace-context.js';

export interface EncodedBody {
  body: Buffer;
  headers: Record<string, string>;
}

/** What decides a body's bytes: the protocol (default Loki's push API) and its encoding; for OTLP, the mapping. */
export type WireFormat = Pick<ResolvedOptions, 'encoding'> &
  Partial<Pick<ResolvedOptions, 'protocol' | 'levelLabel' | 'traceContext'>>;

const JSON_TYPE = 'application/json';

/** entries -> the HTTP body and its content headers, in the chosen wire format. */
export function encodePushBody(entries: Iterable<LokiEntry>, format: WireFormat): EncodedBody {
  const { encoding } = format;
  if (format.protocol === 'otlp') return encodeOtlpBody(entries, format);
  const groups = groupByStream(entries);
  if (encoding === 'protobuf') {
    // Snappy block format (not framed), no Content-Encoding: exactly what Loki and Promtail use.
    return {
      body: snappyCompressor().compress(encodePushRequestProtobuf(groups)),
      headers: { 'content-type': 'application/x-protobuf' },
    };
  }
  const json = Buffer.from(encodePushRequestJson(groups), 'utf8');
  if (encoding === 'json-gzip') {
    return { body: gzipSync(json), headers: { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' } };
  }
  return { body: json, headers: { 'content-type': JSON_TYPE } };
}

/**
 * OTLP/HTTP: `'protobuf'` is gzipped protobuf (gzip is OTLP's one standard compression, as snappy is Loki's),
 * `'json'` plain OTLP/JSON, `'json-gzip'` gzipped.
 */
function encodeOtlpBody(entries: Iterable<LokiEntry>, format: WireFormat): EncodedBody {
  const groups = groupByResource(entries, {
    levelLabel: format.levelLabel ?? 'level',
    // Off means "not captured here": the adapters capture on the app thread and turn the client's own capture
    // off, and their fields still belong in the record's ids. Then OpenTelemetry's names are lifted.
    traceContext: format.traceContext || TRACE_FIELD_NAMES,
  });
  if (format.encoding === 'protobuf') {
    return {
      body: gzipSync(encodeOtlpProtobuf(groups)),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    };
  }
  const json = Buffer.from(encodeOtlpJson(groups), 'utf8');
  if (format.encoding === 'json-gzip') {
    return { body: gzipSync(json), headers: { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' } };
  }
  return { body: json, headers: { 'content-type': JSON_TYPE } };
}
