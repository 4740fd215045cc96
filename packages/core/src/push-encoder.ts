import { gzipSync } from 'node:zlib';
import { encodePushRequestJson } from './encode-json.js';
import { encodePushRequestProtobuf } from './encode-protobuf.js';
import type { LokiEncoding } from './options.js';
import type { LokiEntry } from './record.js';
import { snappyCompressor } from './snappy-compress.js';
import { groupByStream } from './stream-groups.js';

export interface EncodedBody {
  body: Buffer;
  headers: Record<string, string>;
}

/** entries -> the HTTP body and its content headers, in the chosen wire format. */
export function encodePushBody(entries: Iterable<LokiEntry>, encoding: LokiEncoding): EncodedBody {
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
    return { body: gzipSync(json), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
  }
  return { body: json, headers: { 'content-type': 'application/json' } };
}
