/**
 * The legacy JSON shape of `POST /api/prom/push` (Loki decodes it with plain jsoniter into the protobuf
 * structs, pkg/util/unmarshal/legacy): `{"streams":[{"labels":"{a=\"b\"}","entries":[{"ts":"<RFC3339Nano>",
 * "line":"…"}]}]}`. Not a hot path: JSON.parse, then a shape check with the receiver's own error texts.
 */
import { JsonDecodeError } from './json-decode-error.js';
import type { RawPushEntry, RawPushStream } from './push-model.js';

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

function parseRfc3339Nano(value: unknown): bigint {
  const m = typeof value === 'string' ? RFC3339.exec(value) : null;
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new JsonDecodeError(`parsing time ${JSON.stringify(value)} as RFC 3339`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/**
 * Where the first JSON value of `text` ends: jsoniter's `Decoder.Decode` reads one value and leaves the rest.
 * Only brackets and strings are tracked; an unbalanced text ends at its end (JSON.parse then reports it).
 */
function firstValueEnd(text: string): number {
  let i = 0;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 0) return i + 1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (--depth <= 0) return i + 1;
    } else if (depth === 0 && /[\s,{}[\]"]/.test(text[i + 1] ?? ' ')) return i + 1;
  }
  return text.length;
}

/** Decodes a legacy push body (strict: nothing may follow it). Throws {@link JsonDecodeError}. */
export function decodeLegacyPushJson(text: string, strict = false): RawPushStream[] {
  if (text.trim() === '') throw new JsonDecodeError('EOF');
  const end = firstValueEnd(text);
  if (strict && text.slice(end).trim() !== '')
    throw new JsonDecodeError('unexpected content after the JSON object (strict; Loki ignores it)');
  let body: unknown;
  try {
    body = JSON.parse(text.slice(0, end));
  } catch (err) {
    throw new JsonDecodeError((err as Error).message);
  }
  const streams = (body as { streams?: unknown } | null)?.streams;
  if (streams === undefined || streams === null) return [];
  if (!Array.isArray(streams)) throw new JsonDecodeError('logproto.PushRequest.Streams: expected an array');
  return streams.map((s: { labels?: unknown; entries?: unknown }): RawPushStream => {
    const entries = Array.isArray(s?.entries) ? s.entries : [];
    return {
      labels: typeof s?.labels === 'string' ? s.labels : '',
      entries: entries.map((e: { ts?: unknown; line?: unknown; structuredMetadata?: unknown }): RawPushEntry => {
        const line = typeof e?.line === 'string' ? e.line : '';
        const metadata = Array.isArray(e?.structuredMetadata)
          ? (e.structuredMetadata as Array<{ name?: unknown; value?: unknown }>).map((p): [string, string] => [
              String(p?.name ?? ''),
              String(p?.value ?? ''),
            ])
          : [];
        return { timestampNs: parseRfc3339Nano(e?.ts), line, lineBytes: Buffer.byteLength(line, 'utf8'), metadata };
      }),
    };
  });
}
