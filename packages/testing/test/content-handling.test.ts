import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { compressSnappyBlock, createLokiReceiver, encodePushRequestProtobuf, type LokiReceiver } from '../src/index.js';
import { DAY, nsAgo, postRaw, tsAgo, sharedReceiver, NO_DISCOVERY } from './helpers.js';

let receiver: LokiReceiver;
sharedReceiver((r) => (receiver = r));

const JSON_CT = { 'content-type': 'application/json' };
const PROTO_CT = { 'content-type': 'application/x-protobuf' };

function jsonBody(line = 'hello'): string {
  return JSON.stringify({ streams: [{ stream: { app: 'x' }, values: [[tsAgo(), line]] }] });
}

function protoBody(labels = '{app="x"}', line = 'hello'): Buffer {
  return encodePushRequestProtobuf([{ labels, entries: [{ timestampNs: nsAgo(), line }] }]);
}

// --- a tiny protobuf writer for hand-made (malformed or unusual) messages
function varint(n: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
function ld(field: number, payload: number[] | Buffer | string): number[] {
  const bytes = typeof payload === 'string' ? [...Buffer.from(payload)] : [...payload];
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}
function vf(field: number, value: bigint | number): number[] {
  return [...varint(field << 3), ...varint(value)];
}
function entry(seconds: bigint | undefined, nanos: bigint | number, line: string, extra: number[] = []): number[] {
  const ts = seconds === undefined ? [] : ld(1, [...vf(1, seconds), ...(nanos === 0 ? [] : vf(2, nanos))]);
  return [...ts, ...ld(2, line), ...extra];
}
function request(
  streams: Array<{ labels: string; entries: number[][]; extra?: number[] }>,
  extra: number[] = [],
): Buffer {
  const bytes: number[] = [];
  for (const s of streams)
    bytes.push(...ld(1, [...ld(1, s.labels), ...s.entries.flatMap((e) => ld(2, e)), ...(s.extra ?? [])]));
  return Buffer.from([...bytes, ...extra]);
}
const nowSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));

describe('Content-Type', () => {
  it('rejects a missing or empty Content-Type with 400 mime: no media type, whatever the body, and stores nothing', async () => {
    const res = await postRaw(receiver.pushUrl, jsonBody());
    // fetch adds text/plain for string bodies; send bytes to really omit the header
    expect(res.status).toBe(400);
    const raw = await postRaw(receiver.pushUrl, Buffer.from(jsonBody()));
    expect(raw.status).toBe(400);
    expect(raw.body).toBe('mime: no media type\n');
    const proto = await postRaw(receiver.pushUrl, compressSnappyBlock(protoBody()));
    expect(proto.status).toBe(400);
    expect(proto.body).toBe('mime: no media type\n');
    const empty = await postRaw(receiver.pushUrl, compressSnappyBlock(protoBody()), { 'content-type': '' });
    expect(empty.status).toBe(400);
    expect(empty.body).toBe('mime: no media type\n');
    expect(receiver.entries()).toEqual([]);
    expect(receiver.requests[1]?.contentType).toBeUndefined();
  });

  it('accepts media-type parameters and any letter case for application/json', async () => {
    const res = await postRaw(receiver.pushUrl, jsonBody('params'), {
      'content-type': 'Application/JSON; charset=utf-8',
    });
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['params']);
  });

  it('treats any other parseable Content-Type as snappy protobuf', async () => {
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(protoBody('{app="x"}', 'as text/plain')), {
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(204);
    const json = await postRaw(receiver.pushUrl, jsonBody(), { 'content-type': 'text/plain' });
    expect(json.status).toBe(400);
    expect(json.body).toBe('snappy: corrupt input\n');
    expect(receiver.entries().map((e) => e.line)).toEqual(['as text/plain']);
  });

  it.each([
    ['/json', 'mime: no media type'],
    ['application/', 'mime: expected token after slash'],
    ['application/json extra', 'mime: unexpected content after media subtype'],
    ['application/json; charset', 'mime: invalid media parameter'],
  ])('rejects the unparseable Content-Type %j with 400', async (ct, message) => {
    const res = await postRaw(receiver.pushUrl, jsonBody(), { 'content-type': ct });
    expect(res.status).toBe(400);
    expect(res.body).toBe(`${message}\n`);
    expect(receiver.entries()).toEqual([]);
  });
});

describe('Content-Encoding', () => {
  it('rejects zlib (RFC 1950) deflate: Loki wants raw deflate', async () => {
    const res = await postRaw(receiver.pushUrl, deflateSync(jsonBody()), { ...JSON_CT, 'content-encoding': 'deflate' });
    expect(res.status).toBe(400);
    expect(receiver.entries()).toEqual([]);
  });

  it.each(['br', 'GZIP', 'gzip, deflate', 'identity'])('rejects Content-Encoding %j with 400', async (encoding) => {
    const res = await postRaw(receiver.pushUrl, gzipSync(jsonBody()), { ...JSON_CT, 'content-encoding': encoding });
    expect(res.status).toBe(400);
    expect(res.body).toBe(`Content-Encoding "${encoding}" not supported\n`);
    expect(receiver.entries()).toEqual([]);
  });

  it('rejects a body that is not gzip with gzip: invalid header', async () => {
    const res = await postRaw(receiver.pushUrl, jsonBody(), { ...JSON_CT, 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(res.body).toBe('gzip: invalid header\n');
    expect(receiver.entries()).toEqual([]);
  });

  it("reads the 10-byte gzip header before the Content-Type, as Go's gzip.NewReader does", async () => {
    const gz = gzipSync(jsonBody());
    const cases: Array<[Buffer, Record<string, string>, string]> = [
      [Buffer.alloc(0), {}, 'EOF'],
      [gz.subarray(0, 1), JSON_CT, 'unexpected EOF'],
      [gz.subarray(0, 9), JSON_CT, 'unexpected EOF'],
      [gz.subarray(0, 9), {}, 'unexpected EOF'],
      [Buffer.from([0x1f, 0x8b, 0x07, ...gz.subarray(3)]), JSON_CT, 'gzip: invalid header'],
      [gz, {}, 'mime: no media type'],
    ];
    for (const [body, headers, message] of cases) {
      const res = await postRaw(receiver.pushUrl, body, { ...headers, 'content-encoding': 'gzip' });
      expect([res.status, res.body]).toEqual([400, `${message}\n`]);
    }
    expect(receiver.entries()).toEqual([]);
  });

  it('tolerates Content-Encoding: snappy (the body is used as-is)', async () => {
    const json = await postRaw(receiver.pushUrl, jsonBody('plain json'), { ...JSON_CT, 'content-encoding': 'snappy' });
    expect(json.status).toBe(204);
    const proto = await postRaw(receiver.pushUrl, compressSnappyBlock(protoBody('{app="x"}', 'snappy proto')), {
      ...PROTO_CT,
      'content-encoding': 'snappy',
    });
    expect(proto.status).toBe(204);
    const snappyJson = await postRaw(receiver.pushUrl, compressSnappyBlock(Buffer.from(jsonBody())), {
      ...JSON_CT,
      'content-encoding': 'snappy',
    });
    expect(snappyJson.status).toBe(400);
    expect(receiver.entries().map((e) => e.line)).toEqual(['plain json', 'snappy proto']);
  });

  it('combines gzip with protobuf: gunzip first, then snappy is still required', async () => {
    const ok = await postRaw(
      receiver.pushUrl,
      gzipSync(compressSnappyBlock(protoBody('{app="x"}', 'double compressed'))),
      {
        ...PROTO_CT,
        'content-encoding': 'gzip',
      },
    );
    expect(ok.status).toBe(204);
    const bad = await postRaw(receiver.pushUrl, gzipSync(protoBody()), { ...PROTO_CT, 'content-encoding': 'gzip' });
    expect(bad.status).toBe(400);
    expect(bad.body).toBe('snappy: corrupt input\n');
    expect(receiver.entries().map((e) => e.line)).toEqual(['double compressed']);
    expect(receiver.requests[0]).toMatchObject({
      contentEncoding: 'gzip',
      contentType: 'application/x-protobuf',
      entriesReceived: 1,
    });
  });
});

describe('JSON body rules', () => {
  const VALUE_ERROR = "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol";
  const STRING_ERROR = `Value is string, but can't find closing '"' symbol`;
  const JSONITER_PREFIX = 'loghttp.PushRequest.Streams: []loghttp.LogProtoStream: unmarshalerDecoder: ';

  it('rejects a numeric timestamp with 400 and stores nothing', async () => {
    const body = `{"streams":[{"stream":{"app":"x"},"values":[["${tsAgo()}","ok"],[${Date.now()}000000,"numeric"]]}]}`;
    const res = await postRaw(receiver.pushUrl, body, JSON_CT);
    expect(res.status).toBe(400);
    // The number fails as "not a string"; the element index does not advance, so the line is then parsed as
    // the timestamp, and that last error is the one Loki reports.
    expect(res.body.startsWith(`${JSONITER_PREFIX}${VALUE_ERROR}, error found in #10 byte of ...|`)).toBe(true);
    expect(receiver.entries()).toEqual([]);
  });

  it.each([
    '1.7e18',
    'abc',
    '2024-01-01T00:00:00Z',
    '',
    '99999999999999999999',
    '+1796193782000000000',
    '01796193782000000000',
    '00',
  ])("rejects the timestamp string %j with jsoniter's text", async (ts) => {
    const res = await postRaw(
      receiver.pushUrl,
      JSON.stringify({ streams: [{ stream: { app: 'x' }, values: [[ts, 'line']] }] }),
      JSON_CT,
    );
    expect(res.status).toBe(400);
    expect(res.body.startsWith(`${JSONITER_PREFIX}${VALUE_ERROR}, error found in #10 byte of ...|`)).toBe(true);
    expect(receiver.entries()).toEqual([]);
  });

  it('prints the byte context of the failing stream as jsoniter does', async () => {
    const body = '{"streams":[{"stream":{"app":"x"},"values":[["+1796193782000000000","line"]]}]}';
    const res = await postRaw(receiver.pushUrl, body, JSON_CT);
    expect(res.status).toBe(400);
    expect(res.body).toBe(
      `${JSONITER_PREFIX}${VALUE_ERROR}, error found in #10 byte of ...|,"line"]]}]}|..., bigger context ...|":"x"},"values":[["+1796193782000000000","line"]]}]}|...\n`,
    );
  });

  it.each([
    [
      'a non-string structured-metadata value',
      '{"streams":[{"stream":{"app":"x"},"values":[["TS","l",{"k":1}]]}]}',
      STRING_ERROR,
    ],
    [
      'a non-object third element',
      '{"streams":[{"stream":{"app":"x"},"values":[["TS","l","meta"]]}]}',
      "Value looks like object, but can't find closing '}' symbol",
    ],
    ['a non-string line', '{"streams":[{"stream":{"app":"x"},"values":[["TS",42]]}]}', STRING_ERROR],
    [
      'a lone surrogate escape in a line',
      '{"streams":[{"stream":{"app":"x"},"values":[["TS","a\\ud800b"]]}]}',
      VALUE_ERROR,
    ],
    [
      'a lone low surrogate escape in a line',
      '{"streams":[{"stream":{"app":"x"},"values":[["TS","\\udc00"]]}]}',
      VALUE_ERROR,
    ],
    [
      'a high surrogate followed by a non-surrogate',
      '{"streams":[{"stream":{"app":"x"},"values":[["TS","\\ud800\\u0041"]]}]}',
      VALUE_ERROR,
    ],
    [
      'a lone surrogate escape in a label value',
      '{"streams":[{"stream":{"app":"\\ud800"},"values":[["TS","l"]]}]}',
      VALUE_ERROR,
    ],
    [
      'a lone surrogate escape in a label name',
      '{"streams":[{"stream":{"a\\udbff":"x"},"values":[["TS","l"]]}]}',
      'Encountered an invalid escape sequence in a string',
    ],
    ['an unknown escape in a line', '{"streams":[{"stream":{"app":"x"},"values":[["TS","\\q"]]}]}', VALUE_ERROR],
    ['invalid JSON', '{"streams":[{"stream":{"app":"x"},"values":[["TS","l"]]}]', "expected ',' or '}'"],
    ['an empty body', '', 'EOF'],
  ])('rejects %s with a whole-request 400', async (_name, template, message) => {
    const body = template.replace('"TS"', `"${tsAgo()}"`);
    const valid = `{"stream":{"app":"ok"},"values":[["${tsAgo()}","valid"]]}`;
    const withValid = body.startsWith('{"streams":[') ? body.replace('{"streams":[', `{"streams":[${valid},`) : body;
    const res = await postRaw(receiver.pushUrl, withValid, JSON_CT);
    expect(res.status).toBe(400);
    expect(res.body).toContain(message);
    expect(receiver.entries()).toEqual([]);
  });

  it.each([
    [
      'a numeric label value',
      '{"streams":[{"stream":{"app":1},"values":[["TS","l"]]}]}',
      'label values must be JSON strings',
    ],
    [
      'a null label value',
      '{"streams":[{"stream":{"app":null},"values":[["TS","l"]]}]}',
      'label values must be JSON strings',
    ],
    [
      'an extra tuple element',
      '{"streams":[{"stream":{"app":"x"},"values":[["TS","l",{},"extra"]]}]}',
      'more than 3 elements',
    ],
    ['an empty entry array', '{"streams":[{"stream":{"app":"x"},"values":[[]]}]}', 'empty array'],
    [
      'trailing bytes',
      '{"streams":[{"stream":{"app":"x"},"values":[["TS","l"]]}]} trailing',
      'unexpected content after the JSON object',
    ],
  ])('with strict: true, rejects %s with a whole-request 400 (Loki accepts it)', async (_name, template, message) => {
    const strict = await createLokiReceiver({ ...NO_DISCOVERY, strict: true });
    try {
      const res = await postRaw(strict.pushUrl, template.replace('"TS"', `"${tsAgo()}"`), JSON_CT);
      expect(res.status).toBe(400);
      expect(res.body).toContain(message);
      expect(strict.entries()).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('accepts what Loki accepts: numbers and null as label values, extra tuple elements, null entries, trailing bytes', async () => {
    const ts = tsAgo();
    const res = await postRaw(
      receiver.pushUrl,
      `{"streams":[{"stream":{"app":"x","n":1,"z":null},"values":[null,["${ts}","extra",{"k":"v"},"ignored",5],["${ts}","two"]]}]} trailing {garbage`,
      JSON_CT,
    );
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => [e.stream, e.line, e.metadata])).toEqual([
      ['{app="x", n="1", z="null"}', 'extra', { k: 'v' }],
      ['{app="x", n="1", z="null"}', 'two', {}],
    ]);
  });

  it('stores an empty entry array at year 1, then rejects it as too old (partial 400)', async () => {
    const res = await postRaw(
      receiver.pushUrl,
      `{"streams":[{"stream":{"app":"x"},"values":[[],["${tsAgo()}","ok"]]}]}`,
      JSON_CT,
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatch(
      /^entry for stream '\{app="x"\}' has timestamp too old: 0001-01-01T00:00:00Z, oldest acceptable timestamp is: /,
    );
    expect(receiver.entries().map((e) => e.line)).toEqual(['ok']);
  });

  it('accepts Loki-lenient shapes: [ts] alone, values null, unknown keys, missing streams → 422', async () => {
    const ts = tsAgo();
    const res = await postRaw(
      receiver.pushUrl,
      `{"extra":{"a":[1,2,{"b":null}]},"streams":[{"stream":{"app":"x"},"values":[["${ts}"]],"unknown":true},{"stream":{"app":"y"},"values":null}]}`,
      JSON_CT,
    );
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => [e.stream, e.line])).toEqual([['{app="x"}', '']]);
    expect((await postRaw(receiver.pushUrl, '{}', JSON_CT)).status).toBe(422);
    expect((await postRaw(receiver.pushUrl, '{"streams":null}', JSON_CT)).status).toBe(422);
  });

  it('lets the last duplicate stream key win, as Loki does', async () => {
    const res = await postRaw(
      receiver.pushUrl,
      `{"streams":[{"stream":{"app":"first","app":"second"},"values":[["${tsAgo()}","dup"]]}]}`,
      JSON_CT,
    );
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]?.labels).toEqual({ app: 'second' });
  });

  it('decodes JSON escapes in lines and label values', async () => {
    const res = await postRaw(
      receiver.pushUrl,
      `{"streams":[{"stream":{"app":"a\\"b\\u00e9"},"values":[["${tsAgo()}","tab\\there \\ud83d\\ude00 \\/ end"]]}]}`,
      JSON_CT,
    );
    expect(res.status).toBe(204);
    const [e] = receiver.entries();
    expect(e?.labels).toEqual({ app: 'a"bé' });
    expect(e?.line).toBe('tab\there 😀 / end');
  });

  it('stores JSON structured-metadata values still escaped, like Loki 3.4.6', async () => {
    const res = await postRaw(
      receiver.pushUrl,
      `{"streams":[{"stream":{"app":"x"},"values":[["${tsAgo()}","l",{"k\\u0031":"a\\nb"}]]}]}`,
      JSON_CT,
    );
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]?.metadata).toEqual({ k1: 'a\\nb' });
  });

  it("stores them decoded with jsonStructuredMetadataValues: 'decoded' (Loki ≥ 3.6)", async () => {
    const decoded = await createLokiReceiver({ ...NO_DISCOVERY, jsonStructuredMetadataValues: 'decoded' });
    try {
      const res = await postRaw(
        decoded.pushUrl,
        `{"streams":[{"stream":{"app":"x"},"values":[["${tsAgo()}","l",{"k":"a\\nb"}]]}]}`,
        JSON_CT,
      );
      expect(res.status).toBe(204);
      expect(decoded.entries()[0]?.metadata).toEqual({ k: 'a\nb' });
    } finally {
      await decoded.close();
    }
  });
});

describe('protobuf body rules', () => {
  it('rejects uncompressed protobuf with 400 snappy: corrupt input', async () => {
    const res = await postRaw(receiver.pushUrl, protoBody(), PROTO_CT);
    expect(res.status).toBe(400);
    expect(res.body).toBe('snappy: corrupt input\n');
    expect(receiver.entries()).toEqual([]);
  });

  it('rejects framed snappy (sNaPpY stream format)', async () => {
    const framed = Buffer.concat([
      Buffer.from([0xff, 0x06, 0x00, 0x00]),
      Buffer.from('sNaPpY'),
      compressSnappyBlock(protoBody()),
    ]);
    const res = await postRaw(receiver.pushUrl, framed, PROTO_CT);
    expect(res.status).toBe(400);
    expect(receiver.entries()).toEqual([]);
  });

  it('skips unknown fields at every level and ignores the stream hash', async () => {
    const unknown = [...vf(15, 7), ...ld(14, 'junk')];
    const body = request(
      [
        {
          labels: '{app="x"}',
          entries: [entry(nowSeconds(), 5, 'with unknowns', unknown)],
          extra: [...vf(3, 123456789n), ...unknown],
        },
      ],
      unknown,
    );
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(body), PROTO_CT);
    expect(res.status).toBe(204);
    const [e] = receiver.entries();
    expect(e?.line).toBe('with unknowns');
    expect(e?.timestampNs).toBe(nowSeconds() * 1_000_000_000n + 5n);
  });

  it('enforces the google.protobuf.Timestamp range rules with a whole-request 400', async () => {
    const bad = request([{ labels: '{app="x"}', entries: [entry(nowSeconds(), 1_000_000_000, 'nanos too big')] }]);
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(bad), PROTO_CT);
    expect(res.status).toBe(400);
    expect(res.body).toContain('nanos not in range [0, 1e9)');
    const negative = request([{ labels: '{app="x"}', entries: [entry(nowSeconds(), -1, 'negative nanos')] }]);
    expect((await postRaw(receiver.pushUrl, compressSnappyBlock(negative), PROTO_CT)).status).toBe(400);
    const ancient = request([{ labels: '{app="x"}', entries: [entry(-62135596801n, 0, 'before year 1')] }]);
    const a = await postRaw(receiver.pushUrl, compressSnappyBlock(ancient), PROTO_CT);
    expect(a.status).toBe(400);
    expect(a.body).toContain('before 0001-01-01');
    const far = request([{ labels: '{app="x"}', entries: [entry(253402300800n, 0, 'year 10000')] }]);
    const f = await postRaw(receiver.pushUrl, compressSnappyBlock(far), PROTO_CT);
    expect(f.status).toBe(400);
    expect(f.body).toContain('after 10000-01-01');
    expect(receiver.entries()).toEqual([]);
  });

  it('treats a missing timestamp as year 1: too old, partial 400', async () => {
    const body = request([
      { labels: '{app="x"}', entries: [entry(undefined, 0, 'no timestamp'), entry(nowSeconds(), 0, 'fine')] },
    ]);
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(body), PROTO_CT);
    expect(res.status).toBe(400);
    expect(res.body).toContain('has timestamp too old: 0001-01-01T00:00:00Z');
    expect(receiver.entries().map((e) => e.line)).toEqual(['fine']);
  });

  it('rejects malformed protobuf (wrong wire type, truncation) with 400', async () => {
    const wrongType = Buffer.from([...vf(1, 5)]);
    const w = await postRaw(receiver.pushUrl, compressSnappyBlock(wrongType), PROTO_CT);
    expect(w.status).toBe(400);
    expect(w.body).toBe('proto: wrong wireType = 0 for field Streams\n');
    const truncated = protoBody().subarray(0, 10);
    const t = await postRaw(receiver.pushUrl, compressSnappyBlock(truncated), PROTO_CT);
    expect(t.status).toBe(400);
    expect(t.body).toBe('unexpected EOF\n');
    expect(receiver.entries()).toEqual([]);
  });

  it('rejects duplicate label names per stream (partial 400)', async () => {
    const body = encodePushRequestProtobuf([
      { labels: '{a="1", a="2"}', entries: [{ timestampNs: nsAgo(), line: 'dup' }] },
      { labels: '{a="1"}', entries: [{ timestampNs: nsAgo(), line: 'ok' }] },
    ]);
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(body), PROTO_CT);
    expect(res.status).toBe(400);
    expect(res.body).toBe(`stream '{a="1", a="2"}' has duplicate label name: 'a'\n`);
    expect(receiver.entries().map((e) => e.line)).toEqual(['ok']);
  });

  it.each([
    ['{a="x"}', { a: 'x' }],
    ['  { a = "x" , b = \'y\' , c = `r\\aw` , }  ', { a: 'x', b: 'y', c: 'r\\aw' }],
    ['{a="\\u00e9\\x41\\101\\n\\"", z=""}', { a: 'éAA\n"' }],
    ['{by="keyword", sum="ok"}', { by: 'keyword', sum: 'ok' }],
    ['{a="x", # a comment\n b="y"}', { a: 'x', b: 'y' }],
  ])('parses the label string %j like Prometheus ParseMetric', async (labels, expected) => {
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(protoBody(labels, 'parsed')), PROTO_CT);
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]?.labels).toEqual(expected);
  });

  it.each([
    ['{a="x\ny"}', '1:4: parse error: unterminated quoted string'],
    ['{a="\ufffd"}', '1:4: parse error: invalid UTF-8 rune'],
    ['{a="\\q"}', "1:4: parse error: unknown escape sequence U+0071 'q'"],
    ['{a="\\ud800"}', '1:4: parse error: escape sequence is an invalid Unicode code point'],
    ['{a!="x"}', '1:3: parse error: unexpected <op:!=> in label set, expected "="'],
    ['{a=~"x"}', '1:3: parse error: unexpected <op:=~> in label set, expected "="'],
    ['{a="x" b="y"}', '1:8: parse error: unexpected identifier "b" in label set, expected "," or "}"'],
    ['{a="x"', '1:7: parse error: unexpected end of input inside braces'],
    ['{a}', '1:3: parse error: unexpected "}" in label set, expected "="'],
    ['{a="x",,}', '1:8: parse error: unexpected "," in label set, expected identifier or "}"'],
    ['{a="x"}}', "1:8: parse error: unexpected right brace '}'"],
    ['{é="x"}', "1:2: parse error: unexpected character inside braces: 'é'"],
  ])('rejects the label string %j with a whole-request 400', async (labels, message) => {
    const body = encodePushRequestProtobuf([
      { labels: '{app="ok"}', entries: [{ timestampNs: nsAgo(), line: 'valid' }] },
      { labels, entries: [{ timestampNs: nsAgo(), line: 'bad' }] },
    ]);
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(body), PROTO_CT);
    expect(res.status).toBe(400);
    expect(res.body).toBe(`couldn't parse labels: ${message}\n`);
    expect(receiver.entries()).toEqual([]);
  });

  it('turns the metric-name form into __name__, stored as Loki does (strict: true rejects it)', async () => {
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(protoBody('foo{a="b"}')), PROTO_CT);
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]?.labels).toEqual({ __name__: 'foo', a: 'b' });
    const strict = await createLokiReceiver({ ...NO_DISCOVERY, strict: true });
    try {
      const rejected = await postRaw(strict.pushUrl, compressSnappyBlock(protoBody('foo{a="b"}')), PROTO_CT);
      expect(rejected.status).toBe(400);
      expect(rejected.body).toContain("'__name__'");
      expect(strict.entries()).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('treats an empty label string as an empty label set', async () => {
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(protoBody('')), PROTO_CT);
    expect(res.status).toBe(400);
    expect(res.body).toBe('error at least one label pair is required per stream\n');
  });

  it('accepts empty and duplicate structured-metadata names, as Loki does', async () => {
    const ts = nsAgo();
    const body = encodePushRequestProtobuf([
      {
        labels: '{app="x"}',
        entries: [
          {
            timestampNs: ts,
            line: 'dup name',
            metadata: [
              ['k', '1'],
              ['k', '2'],
            ],
          },
          { timestampNs: ts, line: 'empty', metadata: [['', 'v']] },
        ],
      },
    ]);
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(body), PROTO_CT);
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => [e.line, e.metadata])).toEqual([
      ['dup name', { k: '2' }],
      ['empty', { '': 'v' }],
    ]);
  });

  it('with strict: true, rejects empty and duplicate structured-metadata names per entry', async () => {
    const strict = await createLokiReceiver({ ...NO_DISCOVERY, strict: true });
    const receiver = strict;
    onTestFinished(() => strict.close());
    const ts = nsAgo();
    const body = encodePushRequestProtobuf([
      {
        labels: '{app="x"}',
        entries: [
          { timestampNs: ts, line: 'empty name', metadata: [['', 'v']] },
          {
            timestampNs: ts,
            line: 'dup name',
            metadata: [
              ['k', '1'],
              ['k', '2'],
            ],
          },
          {
            timestampNs: ts,
            line: 'collision',
            metadata: [
              ['a.b', '1'],
              ['a_b', '2'],
            ],
          },
          // Past 16 names the check takes another path: the same answer.
          {
            timestampNs: ts,
            line: 'many, one twice',
            metadata: [...Array.from({ length: 20 }, (_, i): [string, string] => [`n_${i}`, 'v']), ['n.3', 'x']],
          },
          {
            timestampNs: ts,
            line: 'many, all distinct',
            metadata: Array.from({ length: 20 }, (_, i): [string, string] => [`m${i}`, 'v']),
          },
          { timestampNs: ts, line: 'fine', metadata: [['k', '1']] },
        ],
      },
    ]);
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(body), PROTO_CT);
    expect(res.status).toBe(400);
    expect(res.body).toContain('structured metadata with an empty name');
    expect(res.body).toContain("duplicate structured metadata name: 'k'");
    expect(res.body).toContain("duplicate structured metadata name: 'a_b'");
    expect(res.body).toContain("duplicate structured metadata name: 'n_3'");
    expect(receiver.entries().map((e) => e.line)).toEqual(['many, all distinct', 'fine']);
    expect(receiver.entries()[1]!.metadata).toEqual({ k: '1' });
  });

  it('keeps a protobuf structured-metadata value with a newline as is', async () => {
    const body = encodePushRequestProtobuf([
      { labels: '{app="x"}', entries: [{ timestampNs: nsAgo(), line: 'l', metadata: { k: 'a\nb' } }] },
    ]);
    expect((await postRaw(receiver.pushUrl, compressSnappyBlock(body), PROTO_CT)).status).toBe(204);
    expect(receiver.entries()[0]?.metadata).toEqual({ k: 'a\nb' });
  });

  it('accepts old entries when limits.rejectOldSamples is false', async () => {
    const lenient = await createLokiReceiver({ ...NO_DISCOVERY, limits: { rejectOldSamples: false } });
    try {
      const res = await postRaw(
        lenient.pushUrl,
        compressSnappyBlock(
          encodePushRequestProtobuf([
            { labels: '{app="x"}', entries: [{ timestampNs: nsAgo(400 * DAY), line: 'ancient' }] },
          ]),
        ),
        PROTO_CT,
      );
      expect(res.status).toBe(204);
      expect(lenient.entries().map((e) => e.line)).toEqual(['ancient']);
    } finally {
      await lenient.close();
    }
  });
});
