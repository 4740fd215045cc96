import { deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { compressSnappyBlock, createLokiReceiver, encodePushRequestProtobuf, type LokiReceiver } from '../src/index.js';

/**
 * Loki's additions (service_name, detected_level) switched off: the push-rule tests compare labels and
 * metadata exactly; discovery.test.ts tests the additions, which are on by default as in Loki.
 */
export const NO_DISCOVERY = Object.freeze({ discoverServiceName: false, discoverLogLevels: false });

/**
 * One receiver for a whole test file: started before its tests (then handed to `use`), closed after
 * them, and emptied before each test (then given to `reset`, for per-test settings).
 */
export function sharedReceiver(use: (receiver: LokiReceiver) => void, reset?: (receiver: LokiReceiver) => void): void {
  let receiver: LokiReceiver | undefined;
  beforeAll(async () => {
    receiver = await createLokiReceiver(NO_DISCOVERY);
    use(receiver);
  });
  afterAll(async () => {
    await receiver?.close();
  });
  beforeEach(() => {
    receiver!.clear();
    reset?.(receiver!);
  });
}

/** One entry tuple as in Loki's JSON: [ns, line, metadata?]. */
export type Tuple = [string, string] | [string, string, Record<string, string>];

/** A push in Loki's JSON shape, used as the common input of every encoding. */
export interface PushBody {
  streams: Array<{ stream: Record<string, string>; values: Tuple[] }>;
}

export interface EncodedPush {
  body: Buffer;
  headers: Record<string, string>;
}

/** Renders a stream object as selector text (sorted, JSON-quoted values: valid Go quoting for ASCII). */
export function selectorText(stream: Record<string, string>): string {
  return (
    '{' +
    Object.keys(stream)
      .sort()
      .map((k) => `${k}=${JSON.stringify(stream[k])}`)
      .join(', ') +
    '}'
  );
}

function toProtobuf(req: PushBody): Buffer {
  return encodePushRequestProtobuf(
    req.streams.map((s) => ({
      labels: selectorText(s.stream),
      entries: s.values.map(([ts, line, metadata]) => ({ timestampNs: BigInt(ts), line, metadata })),
    })),
  );
}

/** The four wire formats every core rule is checked with. */
export const ENCODINGS: Record<string, (req: PushBody) => EncodedPush> = {
  json: (req) => ({ body: Buffer.from(JSON.stringify(req)), headers: { 'content-type': 'application/json' } }),
  'gzip json': (req) => ({
    body: gzipSync(JSON.stringify(req)),
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
  }),
  'raw-deflate json': (req) => ({
    body: deflateRawSync(JSON.stringify(req)),
    headers: { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'deflate' },
  }),
  'protobuf+snappy': (req) => ({
    body: compressSnappyBlock(toProtobuf(req)),
    headers: { 'content-type': 'application/x-protobuf' },
  }),
};

export const ENCODING_NAMES = Object.keys(ENCODINGS);

export interface PushResponse {
  status: number;
  body: string;
  headers: Headers;
}

/** POSTs raw bytes to a URL. */
export async function postRaw(
  url: string,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
): Promise<PushResponse> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** Encodes and POSTs a push. */
export async function push(
  url: string,
  encoding: string,
  req: PushBody,
  headers: Record<string, string> = {},
): Promise<PushResponse> {
  const encoded = ENCODINGS[encoding]!(req);
  return postRaw(url, encoded.body, { ...encoded.headers, ...headers });
}

const NS_PER_MS = 1_000_000n;

/** Now minus `agoMillis`, in ns. Entries are pushed relative to the real clock. */
export function nsAgo(agoMillis = 0, extraNs = 0n): bigint {
  return (BigInt(Date.now()) - BigInt(agoMillis)) * NS_PER_MS + extraNs;
}

/** `nsAgo` as the decimal string Loki's JSON uses. */
export function tsAgo(agoMillis = 0, extraNs = 0n): string {
  return nsAgo(agoMillis, extraNs).toString();
}

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

/** Parses a query_range JSON response loosely (tests index into it freely). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function responseJson(res: Response | Promise<Response>): Promise<any> {
  return (await res).json();
}
