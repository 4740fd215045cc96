import { describe, expect, it, onTestFinished } from 'vitest';
import { createLokiReceiver, type LokiReceiver } from '../src/index.js';
import { DAY, ENCODING_NAMES, HOUR, push, tsAgo, type Tuple, sharedReceiver, NO_DISCOVERY } from './helpers.js';

let receiver: LokiReceiver;
sharedReceiver((r) => (receiver = r));

describe.each(ENCODING_NAMES)('core push rules over %s', (encoding) => {
  it('stores a valid push and answers 204 with an empty body', async () => {
    const ts = tsAgo(1000, 123n);
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        {
          stream: { app: 'api', env: 'prod' },
          values: [[ts, 'hello "world"\n\ttabbed', { trace_id: 'abc', user: 'ü' }]],
        },
        { stream: { app: 'web' }, values: [[ts, 'second']] },
      ],
    });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    const entries = receiver.entries();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      tenant: 'fake',
      labels: { app: 'api', env: 'prod' },
      stream: '{app="api", env="prod"}',
      timestampNs: BigInt(ts),
      timestamp: ts,
      line: 'hello "world"\n\ttabbed',
      metadata: { trace_id: 'abc', user: 'ü' },
    });
    expect(entries[1]).toMatchObject({ labels: { app: 'web' }, stream: '{app="web"}', line: 'second', metadata: {} });
    const [request] = receiver.requests;
    expect(request).toMatchObject({
      status: 204,
      responseBody: '',
      tenant: 'fake',
      entriesReceived: 2,
      entriesStored: 2,
    });
  });

  it('drops empty label values, sorts labels and canonicalises the stream', async () => {
    const res = await push(receiver.pushUrl, encoding, {
      streams: [{ stream: { zeta: 'z', alpha: 'a "quoted" \\ value', empty: '' }, values: [[tsAgo(), 'x']] }],
    });
    expect(res.status).toBe(204);
    const [entry] = receiver.entries();
    expect(entry?.labels).toEqual({ alpha: 'a "quoted" \\ value', zeta: 'z' });
    expect(entry?.stream).toBe('{alpha="a \\"quoted\\" \\\\ value", zeta="z"}');
  });

  it('rejects the whole request with 400 on a label syntax error (service.name), storing nothing', async () => {
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        { stream: { app: 'ok' }, values: [[tsAgo(), 'valid']] },
        { stream: { 'service.name': 'x' }, values: [[tsAgo(), 'bad']] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toBe("couldn't parse labels: 1:9: parse error: unexpected character inside braces: '.'\n");
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(receiver.entries()).toEqual([]);
  });

  it('checks label syntax even for streams without entries', async () => {
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        { stream: { app: 'ok' }, values: [[tsAgo(), 'valid']] },
        { stream: { '1bad': 'x' }, values: [] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain("couldn't parse labels: 1:2: parse error: unexpected character inside braces: '1'");
    expect(receiver.entries()).toEqual([]);
  });

  it('answers 204 and stores nothing when every stream is empty', async () => {
    const res = await push(receiver.pushUrl, encoding, { streams: [{ stream: { app: 'x' }, values: [] }] });
    expect(res.status).toBe(204);
    expect(receiver.entries()).toEqual([]);
  });

  it('answers 422 for {"streams":[]}', async () => {
    const res = await push(receiver.pushUrl, encoding, { streams: [] });
    expect(res.status).toBe(422);
    expect(res.body).toBe('error at least one valid stream is required for ingestion\n');
    expect(receiver.entries()).toEqual([]);
  });

  it('drops a stream with 16 labels (400) and stores the valid stream beside it', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 16; i++) many[`l${String(i).padStart(2, '0')}`] = `v${i}`;
    const fifteen: Record<string, string> = {};
    for (let i = 0; i < 15; i++) fifteen[`k${String(i).padStart(2, '0')}`] = `v${i}`;
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        { stream: many, values: [[tsAgo(), 'too many labels']] },
        { stream: fifteen, values: [[tsAgo(), 'fifteen is fine']] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^entry for stream '\{l00="v0", .*l15="v15"\}' has 16 label names; limit 15\n$/);
    const entries = receiver.entries();
    expect(entries.map((e) => e.line)).toEqual(['fifteen is fine']);
    expect(Object.keys(entries[0]!.labels)).toHaveLength(15);
  });

  it('rejects an empty label set with missing_labels when service-name discovery is off', async () => {
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        { stream: {}, values: [[tsAgo(), 'no labels']] },
        { stream: { app: 'x' }, values: [[tsAgo(), 'ok']] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toBe('error at least one label pair is required per stream\n');
    expect(receiver.entries().map((e) => e.line)).toEqual(['ok']);
  });

  it('rejects too-long label names and values per stream', async () => {
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        { stream: { ['n'.repeat(1025)]: 'v' }, values: [[tsAgo(), 'long name']] },
        { stream: { app: 'v'.repeat(2049) }, values: [[tsAgo(), 'long value']] },
        { stream: { app: 'v'.repeat(2048), ['n'.repeat(1024)]: 'x' }, values: [[tsAgo(), 'at the limits']] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain(`has label name too long: '${'n'.repeat(1025)}'`);
    expect(res.body).toContain(`has label value too long: '${'v'.repeat(2049)}'`);
    expect(res.body).toMatch(/^1 errors like: .*; 1 errors like: /);
    expect(receiver.entries().map((e) => e.line)).toEqual(['at the limits']);
  });

  it('rejects a 262145-byte line (400) and stores the small entry beside it', async () => {
    const ts = tsAgo();
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        {
          stream: { app: 'big' },
          values: [
            [ts, 'x'.repeat(262145)],
            [ts, 'small'],
            [tsAgo(0, 1n), 'y'.repeat(262144)],
          ],
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toBe(
      "Max entry size '262144' bytes exceeded for stream '{app=\"big\"}' while adding an entry with length '262145' bytes\n",
    );
    const lines = receiver.entries().map((e) => e.line);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('small');
    expect(lines[1]).toHaveLength(262144);
  });

  it('counts line size in UTF-8 bytes', async () => {
    const res = await push(receiver.pushUrl, encoding, {
      streams: [{ stream: { app: 'utf8' }, values: [[tsAgo(), 'é'.repeat(131073)]] }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain("while adding an entry with length '262146' bytes");
    expect(receiver.entries()).toEqual([]);
  });

  it('rejects too old and too new entries (grouped 400) and stores the rest', async () => {
    const old = tsAgo(8 * DAY);
    const future = tsAgo(-HOUR);
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        {
          stream: { app: 'time' },
          values: [
            [old, 'too old'],
            [future, 'too new'],
            [tsAgo(6 * DAY), 'six days old'],
            [tsAgo(-5 * 60 * 1000), 'five minutes ahead'],
          ],
        },
      ],
    });
    expect(res.status).toBe(400);
    const iso = (ns: string): string =>
      new Date(Number(BigInt(ns) / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(res.body).toContain(
      `1 errors like: entry for stream '{app="time"}' has timestamp too old: ${iso(old)}, oldest acceptable timestamp is: `,
    );
    expect(res.body).toContain(`1 errors like: entry for stream '{app="time"}' has timestamp too new: ${iso(future)}`);
    expect(receiver.entries().map((e) => e.line)).toEqual(['six days old', 'five minutes ahead']);
  });

  it('answers 400 without storing when every entry is invalid', async () => {
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        {
          stream: { app: 'x' },
          values: [
            [tsAgo(30 * DAY), 'a'],
            [tsAgo(30 * DAY), 'b'],
          ],
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(receiver.entries()).toEqual([]);
    expect(receiver.requests[0]).toMatchObject({ status: 400, entriesReceived: 2, entriesStored: 0 });
  });

  it('enforces the structured-metadata size and count limits per entry', async () => {
    const tooMany: Record<string, string> = {};
    for (let i = 0; i < 129; i++) tooMany[`k${i}`] = 'v';
    const maxCount: Record<string, string> = {};
    for (let i = 0; i < 128; i++) maxCount[`k${i}`] = 'v';
    const ts = tsAgo();
    const values: Tuple[] = [
      [ts, 'too large', { big: 'x'.repeat(65534) }], // 3 + 65534 = 65537 bytes
      [ts, 'at size limit', { big: 'x'.repeat(65533) }], // 65536 bytes
      [ts, 'too many', tooMany],
      [ts, 'at count limit', maxCount],
    ];
    const res = await push(receiver.pushUrl, encoding, { streams: [{ stream: { app: 'sm' }, values }] });
    expect(res.status).toBe(400);
    expect(res.body).toContain(
      "stream '{app=\"sm\"}' has structured metadata too large: '65537' bytes, limit: '65536' bytes. Please see `limits_config.max_structured_metadata_size`",
    );
    expect(res.body).toContain("stream '{app=\"sm\"}' has too many structured metadata labels: '129', limit: '128'.");
    const stored = receiver.entries();
    expect(stored.map((e) => e.line)).toEqual(['at size limit', 'at count limit']);
    expect(Object.keys(stored[1]!.metadata)).toHaveLength(128);
  });

  it('normalises structured-metadata names and replaces U+FFFD in values', async () => {
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        {
          stream: { app: 'sm' },
          values: [
            [
              tsAgo(),
              'line',
              {
                'trace.id': 't',
                '1x': 'one',
                _x: 'under',
                __y: 'double',
                'ok-é': 'bad \ufffd char',
                plain_Name9: 'as is',
              },
            ],
          ],
        },
      ],
    });
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]?.metadata).toEqual({
      trace_id: 't',
      key_1x: 'one',
      key_x: 'under',
      __y: 'double',
      ok_é: 'bad   char',
      plain_Name9: 'as is',
    });
  });

  it('stores an identical (stream, timestamp, line) once, but keeps a different line at the same timestamp', async () => {
    const ts = tsAgo();
    const body = { streams: [{ stream: { app: 'dedup' }, values: [[ts, 'same'] as Tuple] }] };
    for (let i = 0; i < 3; i++) expect((await push(receiver.pushUrl, encoding, body)).status).toBe(204);
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        {
          stream: { app: 'dedup' },
          values: [
            [ts, 'other line'],
            [ts, 'same', { differs: 'only in metadata' }],
          ],
        },
      ],
    });
    expect(res.status).toBe(204);
    const entries = receiver.entries();
    expect(entries.map((e) => [e.timestamp, e.line, e.metadata])).toEqual([
      [ts, 'same', {}],
      [ts, 'other line', {}],
    ]);
    expect(receiver.requests.map((r) => r.entriesStored)).toEqual([1, 0, 0, 1]);
  });

  it('de-duplicates a batch resent after later ones (a retry): the index of a stream written in order is built when needed', async () => {
    const base = BigInt(tsAgo());
    const ts = (i: number) => String(base + BigInt(i));
    const batch = (from: number, to: number) => ({
      streams: [
        {
          stream: { app: 'resend' },
          values: Array.from({ length: to - from }, (_, k) => [ts(from + k), `line ${from + k}`] as Tuple),
        },
      ],
    });
    for (const [from, to] of [
      [0, 3],
      [3, 6],
      [0, 3],
      [6, 8],
    ] as const)
      expect((await push(receiver.pushUrl, encoding, batch(from, to))).status).toBe(204);
    // Older than the newest stored, but new: kept.
    expect(
      (
        await push(receiver.pushUrl, encoding, {
          streams: [{ stream: { app: 'resend' }, values: [[ts(1), 'late line']] }],
        })
      ).status,
    ).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual([
      ...Array.from({ length: 8 }, (_, i) => `line ${i}`),
      'late line',
    ]);
    expect(receiver.requests.map((r) => r.entriesStored)).toEqual([3, 3, 0, 2, 1]);
  });

  it('does not de-duplicate across different streams', async () => {
    const ts = tsAgo();
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        { stream: { app: 'a' }, values: [[ts, 'same']] },
        { stream: { app: 'b' }, values: [[ts, 'same']] },
      ],
    });
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => e.stream)).toEqual(['{app="a"}', '{app="b"}']);
  });

  it('accepts __-prefixed label names (__name__, __foo, __aggregated_metric__), as Loki does', async () => {
    const ts = tsAgo();
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        { stream: { __name__: 'm', app: 'a' }, values: [[ts, 'name']] },
        { stream: { __foo: 'x', app: 'a' }, values: [[ts, 'foo']] },
        { stream: { __aggregated_metric__: 'y' }, values: [[ts, 'aggregated']] },
      ],
    });
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => [e.stream, e.line])).toEqual([
      ['{__name__="m", app="a"}', 'name'],
      ['{__foo="x", app="a"}', 'foo'],
      ['{__aggregated_metric__="y"}', 'aggregated'],
    ]);
  });

  it('with strict: true, rejects __-prefixed label names with 400 invalid_labels, storing the other stream', async () => {
    const receiver = await createLokiReceiver({ ...NO_DISCOVERY, strict: true });
    onTestFinished(() => receiver.close());
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        { stream: { __reserved: 'x', app: 'a' }, values: [[tsAgo(), 'reserved']] },
        { stream: { app: 'b' }, values: [[tsAgo(), 'fine']] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain('invalid_labels');
    expect(res.body).toContain("'__reserved'");
    expect(receiver.entries().map((e) => e.line)).toEqual(['fine']);
  });
});
