/**
 * The cases where a differential run against a real Loki 3.4.6 showed the receiver answering differently
 * (now fixed). Each test asserts the status, Loki's text and what is stored or queried afterwards.
 */
import { connect } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  compressSnappyBlock,
  createLokiReceiver,
  encodePushRequestProtobuf,
  type LokiReceiver,
  type LokiReceiverOptions,
} from '../src/index.js';
import { HOUR, nsAgo, postRaw, responseJson, sharedReceiver, tsAgo, NO_DISCOVERY } from './helpers.js';

let receiver: LokiReceiver;
sharedReceiver((r) => (receiver = r));

const JSON_CT = { 'content-type': 'application/json' };
const PROTO_CT = { 'content-type': 'application/x-protobuf' };

async function fresh(options: LokiReceiverOptions): Promise<LokiReceiver> {
  const r = await createLokiReceiver({ ...NO_DISCOVERY, ...options });
  onTestFinished(() => r.close());
  return r;
}

function proto(streams: Parameters<typeof encodePushRequestProtobuf>[0]): Buffer {
  return compressSnappyBlock(encodePushRequestProtobuf(streams));
}

function json(streams: unknown[]): string {
  return JSON.stringify({ streams });
}

function queryUrl(r: LokiReceiver, query: string, extra = ''): string {
  return `${r.url}/loki/api/v1/query_range?query=${encodeURIComponent(query)}${extra}`;
}

/** Go's time.Time.String() in UTC for a ns timestamp. */
function goTime(ns: bigint): string {
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac === '' ? '' : '.' + frac} +0000 UTC`;
}

function rfc3339(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe('Loki rejects, the receiver used to accept', () => {
  it('rejects a JSON string with a lone surrogate escape with 400, storing nothing of the push', async () => {
    const body = `{"streams":[{"stream":{"app":"ok"},"values":[["${tsAgo()}","fine"]]},{"stream":{"app":"x"},"values":[["${tsAgo()}","bad \\ud800 line"]]}]}`;
    const res = await postRaw(receiver.pushUrl, body, JSON_CT);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(
      /^loghttp\.PushRequest\.Streams: \[\]loghttp\.LogProtoStream: unmarshalerDecoder: Value looks like Number\/Boolean\/None, but can't find its end: ',' or '}' symbol, error found in #10 byte of \.\.\.\|/,
    );
    expect(receiver.entries()).toEqual([]);
    // A valid surrogate pair is fine.
    const pair = await postRaw(
      receiver.pushUrl,
      json([{ stream: { app: 'x' }, values: [[tsAgo(), '\ud83d\ude00']] }]),
      JSON_CT,
    );
    expect(pair.status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['😀']);
  });

  it('keeps a lone surrogate escape in a structured-metadata value raw, as Loki 3.4.6 stores those values unescaped', async () => {
    const res = await postRaw(
      receiver.pushUrl,
      `{"streams":[{"stream":{"app":"x"},"values":[["${tsAgo()}","l",{"k":"\\ud800"}]]}]}`,
      JSON_CT,
    );
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]?.metadata).toEqual({ k: '\\ud800' });
  });

  it('rejects a protobuf label string with a raw U+FFFD as a whole (400, nothing stored)', async () => {
    const res = await postRaw(
      receiver.pushUrl,
      proto([
        { labels: '{app="ok"}', entries: [{ timestampNs: nsAgo(), line: 'fine' }] },
        { labels: '{a="\ufffd"}', entries: [{ timestampNs: nsAgo(), line: 'bad' }] },
      ]),
      PROTO_CT,
    );
    expect(res.status).toBe(400);
    expect(res.body).toBe(`couldn't parse labels: 1:4: parse error: invalid UTF-8 rune\n`);
    expect(receiver.entries()).toEqual([]);
  });

  it('rejects a protobuf label value with an escaped U+FFFD: the ingester re-parses the label text (400)', async () => {
    const res = await postRaw(
      receiver.pushUrl,
      proto([{ labels: '{a="x\\ufffd"}', entries: [{ timestampNs: nsAgo(), line: 'bad' }] }]),
      PROTO_CT,
    );
    expect(res.status).toBe(400);
    expect(res.body).toBe('1:4: parse error: invalid UTF-8 rune\n');
    expect(receiver.entries()).toEqual([]);
  });

  it('drops only the stream with an escaped U+FFFD when others come with it; the last stream decides the status', async () => {
    const bad = { labels: '{a="x\\ufffd"}', entries: [{ timestampNs: nsAgo(), line: 'bad' }] };
    const good = { labels: '{app="ok"}', entries: [{ timestampNs: nsAgo(), line: 'fine' }] };
    const last = await postRaw(receiver.pushUrl, proto([good, bad]), PROTO_CT);
    expect([last.status, last.body]).toEqual([400, '1:4: parse error: invalid UTF-8 rune\n']);
    const first = await postRaw(
      receiver.pushUrl,
      proto([bad, { ...good, entries: [{ timestampNs: nsAgo(0, 1n), line: 'fine too' }] }]),
      PROTO_CT,
    );
    expect(first.status).toBe(204);
    expect(receiver.entries().map((e) => [e.stream, e.line])).toEqual([
      ['{app="ok"}', 'fine'],
      ['{app="ok"}', 'fine too'],
    ]);
  });

  it('rejects a JSON label value holding U+FFFD (raw or as \\ufffd) as a whole', async () => {
    for (const value of ['\ufffd', '\\ufffd']) {
      const res = await postRaw(
        receiver.pushUrl,
        `{"streams":[{"stream":{"app":"a${value}"},"values":[["${tsAgo()}","l"]]}]}`,
        JSON_CT,
      );
      expect(res.status).toBe(400);
      expect(res.body).toBe(`couldn't parse labels: 1:6: parse error: invalid UTF-8 rune\n`);
    }
    expect(receiver.entries()).toEqual([]);
  });

  it.each(['+1796193782000000000', '01796193782000000000'])(
    'rejects the JSON timestamp %j (leading + or 0) with 400, storing nothing',
    async (ts) => {
      const res = await postRaw(
        receiver.pushUrl,
        json([
          { stream: { app: 'ok' }, values: [[tsAgo(), 'fine']] },
          { stream: { app: 'x' }, values: [[ts, 'line']] },
        ]),
        JSON_CT,
      );
      expect(res.status).toBe(400);
      expect(res.body).toContain(
        "unmarshalerDecoder: Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol, error found in #10 byte of ...|",
      );
      expect(receiver.entries()).toEqual([]);
    },
  );

  describe('the out-of-order window ("entry too far behind")', () => {
    it('rejects an entry more than 1 h behind the newest entry of its stream in the same push; the rest is stored', async () => {
      const newest = nsAgo(0);
      const behind = nsAgo(HOUR + 60_000);
      const within = nsAgo(HOUR - 60_000);
      const res = await postRaw(
        receiver.pushUrl,
        json([
          {
            stream: { app: 'x' },
            values: [
              [newest.toString(), 'newest'],
              [behind.toString(), 'too far behind'],
              [within.toString(), 'within'],
            ],
          },
        ]),
        JSON_CT,
      );
      expect(res.status).toBe(400);
      expect(res.body).toBe(
        `entry with timestamp ${goTime(behind)} ignored, reason: 'entry too far behind, entry timestamp is: ${rfc3339(behind)}, oldest acceptable timestamp is: ${rfc3339(newest - 3_600_000_000_000n)}',\n` +
          `user 'fake', total ignored: 1 out of 3 for stream: {app="x"}\n`,
      );
      expect(receiver.entries().map((e) => e.line)).toEqual(['newest', 'within']);
    });

    it('measures against the newest entry of earlier pushes, per stream', async () => {
      expect(
        (await postRaw(receiver.pushUrl, json([{ stream: { app: 'x' }, values: [[tsAgo(), 'now']] }]), JSON_CT)).status,
      ).toBe(204);
      const old = tsAgo(2 * HOUR);
      const res = await postRaw(
        receiver.pushUrl,
        json([
          { stream: { app: 'x' }, values: [[old, 'late']] },
          { stream: { app: 'other' }, values: [[old, 'first of its stream']] },
        ]),
        JSON_CT,
      );
      // Loki keeps only the last stream's ingester result: the first stream's 400 is swallowed.
      expect(res.status).toBe(204);
      expect(receiver.entries().map((e) => e.line)).toEqual(['now', 'first of its stream']);
      const reversed = await postRaw(
        receiver.pushUrl,
        json([
          { stream: { app: 'other' }, values: [[tsAgo(), 'fine']] },
          { stream: { app: 'x' }, values: [[old, 'late again']] },
        ]),
        JSON_CT,
      );
      expect(reversed.status).toBe(400);
      expect(reversed.body).toMatch(
        /^entry with timestamp .* ignored, reason: 'entry too far behind, .*\nuser 'fake', total ignored: 1 out of 1 for stream: \{app="x"\}\n$/,
      );
      expect(receiver.entries().map((e) => e.line)).toEqual(['now', 'first of its stream', 'fine']);
    });

    it('with strict: true, reports every failing stream', async () => {
      const r = await fresh({ strict: true });
      await postRaw(r.pushUrl, json([{ stream: { app: 'x' }, values: [[tsAgo(), 'now']] }]), JSON_CT);
      const res = await postRaw(
        r.pushUrl,
        json([
          { stream: { app: 'x' }, values: [[tsAgo(2 * HOUR), 'late']] },
          { stream: { app: 'other' }, values: [[tsAgo(), 'fine']] },
        ]),
        JSON_CT,
      );
      expect(res.status).toBe(400);
      expect(res.body).toContain('for stream: {app="x"}');
      expect(r.entries().map((e) => e.line)).toEqual(['now', 'fine']);
    });

    it('lists at most 10 entries, then the total; the window is configurable and 0 turns it off', async () => {
      const base = nsAgo(0);
      const values = [
        [base.toString(), 'newest'],
        ...Array.from({ length: 12 }, (_, i) => [(base - 2n * 3_600_000_000_000n - BigInt(i)).toString(), `old ${i}`]),
      ];
      const res = await postRaw(receiver.pushUrl, json([{ stream: { app: 'x' }, values }]), JSON_CT);
      expect(res.status).toBe(400);
      expect(res.body.match(/^entry with timestamp/gm)).toHaveLength(10);
      expect(res.body).toContain('user \'fake\', total ignored: 12 out of 13 for stream: {app="x"}');

      const narrow = await fresh({ limits: { outOfOrderWindowMillis: 1000 } });
      const narrowRes = await postRaw(
        narrow.pushUrl,
        json([
          {
            stream: { app: 'x' },
            values: [
              [tsAgo(), 'a'],
              [tsAgo(5000), 'b'],
            ],
          },
        ]),
        JSON_CT,
      );
      expect(narrowRes.status).toBe(400);
      expect(narrow.entries().map((e) => e.line)).toEqual(['a']);

      const off = await fresh({ limits: { outOfOrderWindowMillis: 0 } });
      expect(
        (
          await postRaw(
            off.pushUrl,
            json([
              {
                stream: { app: 'x' },
                values: [
                  [tsAgo(), 'a'],
                  [tsAgo(5 * HOUR), 'b'],
                ],
              },
            ]),
            JSON_CT,
          )
        ).status,
      ).toBe(204);
      expect(off.entries()).toHaveLength(2);
    });
  });

  describe('the per-stream rate limit', () => {
    it('answers 429 with one line per dropped entry; the stream share is all or nothing, other streams are stored', async () => {
      const r = await fresh({ limits: { perStreamRateBytesPerSecond: 1024, perStreamBurstBytes: 2048 } });
      const ts = nsAgo();
      const line = 'x'.repeat(1000);
      const res = await postRaw(
        r.pushUrl,
        json([
          { stream: { app: 'calm' }, values: [[ts.toString(), 'small']] },
          {
            stream: { app: 'hot' },
            values: [
              [ts.toString(), line, { k: 'vv' }],
              [(ts + 1n).toString(), line],
              [(ts + 2n).toString(), line],
            ],
          },
        ]),
        JSON_CT,
      );
      expect(res.status).toBe(429);
      const reason = (bytes: string): string =>
        `Per stream rate limit exceeded (limit: 1KB/sec) while attempting to ingest for stream '{app="hot"}' totaling ${bytes}, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased`;
      expect(res.body).toBe(
        `entry with timestamp ${goTime(ts)} ignored, reason: '${reason('1003B')}',\n` +
          `entry with timestamp ${goTime(ts + 1n)} ignored, reason: '${reason('1000B')}',\n` +
          `entry with timestamp ${goTime(ts + 2n)} ignored, reason: '${reason('1000B')}',\n` +
          `user 'fake', total ignored: 3 out of 3 for stream: {app="hot"}\n`,
      );
      expect(r.entries().map((e) => e.line)).toEqual(['small']);
      // Within the burst it passes; the bucket then refills at the rate.
      const ok = await postRaw(
        r.pushUrl,
        json([
          {
            stream: { app: 'hot' },
            values: [
              [tsAgo(), line],
              [tsAgo(0, 1n), line],
            ],
          },
        ]),
        JSON_CT,
      );
      expect(ok.status).toBe(204);
      expect(r.entries({ app: 'hot' })).toHaveLength(2);
      const empty = await postRaw(
        r.pushUrl,
        json([{ stream: { app: 'hot' }, values: [[tsAgo(0, 5n), line]] }]),
        JSON_CT,
      );
      expect(empty.status).toBe(429);
    });

    it("prints the limit as Loki does for the differential run's tight tenant (512KB/s, burst 1MB)", async () => {
      const r = await fresh({ limits: { perStreamRateBytesPerSecond: 512 * 1024, perStreamBurstBytes: 1024 * 1024 } });
      const ts = nsAgo();
      const values = Array.from({ length: 6 }, (_, i) => [(ts + BigInt(i)).toString(), 'z'.repeat(200_000)]);
      const res = await postRaw(r.pushUrl, json([{ stream: { app: 'tight' }, values }]), JSON_CT);
      expect(res.status).toBe(429);
      expect(res.body.split('\n')[0]).toBe(
        `entry with timestamp ${goTime(ts)} ignored, reason: 'Per stream rate limit exceeded (limit: 512KB/sec) while attempting to ingest for stream '{app="tight"}' totaling 200000B, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased',`,
      );
      expect(res.body).toContain('user \'fake\', total ignored: 6 out of 6 for stream: {app="tight"}\n');
      expect(r.entries()).toEqual([]);
      // Five of them (1 000 000 B) fit the 1MB burst.
      expect(
        (await postRaw(r.pushUrl, json([{ stream: { app: 'tight' }, values: values.slice(0, 5) }]), JSON_CT)).status,
      ).toBe(204);
      expect(r.entries()).toHaveLength(5);
    });

    it("defaults to Loki's 3MB/s with a 15MB burst, and 0 turns it off", async () => {
      const big = 'y'.repeat(200_000);
      const ts = nsAgo();
      // 80 entries of 200 kB (16 MB) in one stream exceed the 15MB burst; each push stays below the 6 MiB tenant burst.
      const r = await fresh({ limits: { ingestionBurstBytes: 0, maxRecvMsgBytes: 0 } });
      const values = Array.from({ length: 80 }, (_, i) => [(ts + BigInt(i)).toString(), big]);
      const res = await postRaw(r.pushUrl, json([{ stream: { app: 'x' }, values }]), JSON_CT);
      expect(res.status).toBe(429);
      expect(res.body).toContain('(limit: 3MB/sec)');
      expect(res.body).toContain('totaling 200000B');
      expect(res.body).toContain('total ignored: 80 out of 80 for stream: {app="x"}');
      expect(r.entries()).toEqual([]);
      const off = await fresh({
        limits: { ingestionBurstBytes: 0, maxRecvMsgBytes: 0, perStreamRateBytesPerSecond: 0 },
      });
      expect((await postRaw(off.pushUrl, json([{ stream: { app: 'x' }, values }]), JSON_CT)).status).toBe(204);
      expect(off.entries()).toHaveLength(80);
    });
  });

  describe('structured-metadata names that are no label names after normalisation', () => {
    it.each([
      ['ü.z', 'ü_z'],
      ['日本', '日本'],
      ['', ''],
    ])('stores %j as %j with 204, then every query of that stream answers 500', async (name, stored) => {
      const body = encodePushRequestProtobuf([
        { labels: '{app="x"}', entries: [{ timestampNs: nsAgo(), line: 'l', metadata: [[name, 'v']] }] },
      ]);
      const res = await postRaw(receiver.pushUrl, compressSnappyBlock(body), PROTO_CT);
      expect(res.status).toBe(204);
      expect(receiver.entries()[0]?.metadata).toEqual({ [stored]: 'v' });
      for (const headers of [{}, { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' }] as Array<
        Record<string, string>
      >) {
        const query = await fetch(queryUrl(receiver, '{app="x"}'), { headers });
        expect(query.status).toBe(500);
        expect(await query.text()).toMatch(
          /^failed to parse series labels to categorize labels: 1:\d+: parse error: unexpected .*\n$/,
        );
      }
      // Other streams stay readable.
      await postRaw(
        receiver.pushUrl,
        json([{ stream: { app: 'y' }, values: [[tsAgo(), 'fine', { ok_name: 'v' }]] }]),
        JSON_CT,
      );
      expect((await fetch(queryUrl(receiver, '{app="y"}'))).status).toBe(200);
    });

    it('names the character in the error, as the label parser does', async () => {
      await postRaw(
        receiver.pushUrl,
        proto([{ labels: '{app="x"}', entries: [{ timestampNs: nsAgo(), line: 'l', metadata: { 'ü.z': 'v' } }] }]),
        PROTO_CT,
      );
      const query = await fetch(queryUrl(receiver, '{app="x"}'));
      expect(await query.text()).toBe(
        "failed to parse series labels to categorize labels: 1:11: parse error: unexpected character inside braces: 'ü'\n",
      );
    });
  });
});

describe('Loki accepts, the receiver used to reject', () => {
  it('replaces a raw 0xFF byte in a JSON label value by U+FFFD and stores the entry', async () => {
    const body = Buffer.concat([
      Buffer.from('{"streams":[{"stream":{"app":"a'),
      Buffer.from([0xff]),
      Buffer.from(`"},"values":[["${tsAgo()}","l"]]}]}`),
    ]);
    const res = await postRaw(receiver.pushUrl, body, JSON_CT);
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]?.labels).toEqual({ app: 'a\ufffd' });
  });

  it('uses the first of two X-Scope-OrgID header lines', async () => {
    const r = await fresh({ authEnabled: true });
    const body = json([{ stream: { app: 'x' }, values: [[tsAgo(), 'l']] }]);
    // Raw HTTP: two header lines of the same name, as Go receives them.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(r.port, '127.0.0.1', () => {
        socket.write(
          `POST /loki/api/v1/push HTTP/1.1\r\nHost: loki\r\nContent-Type: application/json\r\nX-Scope-OrgID: first\r\nX-Scope-OrgID: second\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      let text = '';
      socket.on('data', (chunk) => (text += String(chunk)));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const status = Number(answer.split(' ')[1]);
    expect(status).toBe(204);
    expect(r.entries().map((e) => e.tenant)).toEqual(['first']);
  });

  it('stores streams without labels as {service_name="unknown_service"} with service-name discovery on (Loki default)', async () => {
    const r = await fresh({ discoverServiceName: true });
    const ts = tsAgo();
    expect((await postRaw(r.pushUrl, `{"streams":[{"values":[["${ts}","no stream key"]]}]}`, JSON_CT)).status).toBe(
      204,
    );
    expect(
      (await postRaw(r.pushUrl, json([{ stream: { a: '' }, values: [[ts, 'empty value']] }]), JSON_CT)).status,
    ).toBe(204);
    expect(
      (
        await postRaw(
          r.pushUrl,
          proto([{ labels: '', entries: [{ timestampNs: BigInt(ts), line: 'empty labels' }] }]),
          PROTO_CT,
        )
      ).status,
    ).toBe(204);
    expect(r.entries().map((e) => [e.stream, e.line])).toEqual([
      ['{service_name="unknown_service"}', 'no stream key'],
      ['{service_name="unknown_service"}', 'empty value'],
      ['{service_name="unknown_service"}', 'empty labels'],
    ]);
  });

  it('accepts /api/prom/push in the legacy JSON shape and in protobuf', async () => {
    const url = `${receiver.url}/api/prom/push`;
    const ts = new Date(Date.now() - 1000).toISOString().replace('Z', '123456Z');
    const legacy = JSON.stringify({ streams: [{ labels: '{app="legacy"}', entries: [{ ts, line: 'legacy json' }] }] });
    expect((await postRaw(url, legacy, JSON_CT)).status).toBe(204);
    expect(
      (
        await postRaw(
          url,
          proto([{ labels: '{app="legacy"}', entries: [{ timestampNs: nsAgo(), line: 'legacy proto' }] }]),
          PROTO_CT,
        )
      ).status,
    ).toBe(204);
    const entries = receiver.entries({ app: 'legacy' });
    expect(entries.map((e) => e.line)).toEqual(['legacy json', 'legacy proto']);
    expect(entries[0]!.timestamp.endsWith('123456')).toBe(true);
    expect(receiver.requests.map((q) => q.status)).toEqual([204, 204]);
  });
});

describe("the legacy /api/prom/push JSON, read by jsoniter's Decoder (one value, the rest ignored)", () => {
  const body = (line: string): string =>
    JSON.stringify({
      streams: [{ labels: '{app="legacy"}', entries: [{ ts: new Date(Date.now() - 1000).toISOString(), line }] }],
    });

  it('ignores bytes after the body, as on the v1 path', async () => {
    const url = `${receiver.url}/api/prom/push`;
    expect((await postRaw(url, `${body('a')} trailing {garbage`, JSON_CT)).status).toBe(204);
    expect((await postRaw(url, `  ${body('b')}{"streams":"x"}`, JSON_CT)).status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['a', 'b']);
  });

  it('with strict: true, rejects them', async () => {
    const r = await fresh({ strict: true });
    const res = await postRaw(`${r.url}/api/prom/push`, `${body('a')} trailing`, JSON_CT);
    expect(res.status).toBe(400);
    expect(res.body).toContain('unexpected content after the JSON object');
    expect(r.entries()).toEqual([]);
  });
});

describe('texts that differ', () => {
  it.each(['1', 'true', 'null', '{}'])(
    "answers a non-string structured-metadata value (%s) with jsoniter's Value is string text, storing nothing",
    async (value) => {
      const body = `{"streams":[{"stream":{"app":"ok"},"values":[["${tsAgo()}","fine"]]},{"stream":{"app":"x"},"values":[["${tsAgo()}","l",{"k":${value}}]]}]}`;
      const res = await postRaw(receiver.pushUrl, body, JSON_CT);
      expect(res.status).toBe(400);
      expect(
        res.body.startsWith(
          `loghttp.PushRequest.Streams: []loghttp.LogProtoStream: unmarshalerDecoder: Value is string, but can't find closing '"' symbol, error found in #10 byte of ...|`,
        ),
      ).toBe(true);
      expect(receiver.entries()).toEqual([]);
    },
  );

  it("answers a truncated gzip JSON body with jsoniter's unexpected EOF", async () => {
    const gz = gzipSync(json([{ stream: { app: 'x' }, values: [[tsAgo(), 'l'.repeat(2000)]] }]));
    const res = await postRaw(receiver.pushUrl, gz.subarray(0, gz.length - 20), {
      ...JSON_CT,
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(400);
    expect(res.body).toBe('loghttp.PushRequest.Streams: []loghttp.LogProtoStream: unexpected EOF\n');
    expect(receiver.entries()).toEqual([]);
  });

  it('answers zlib-wrapped and garbage deflate bodies with EOF', async () => {
    for (const body of [
      deflateSync(json([{ stream: { app: 'x' }, values: [[tsAgo(), 'l']] }])),
      Buffer.from('garbage, not deflate'),
    ]) {
      const res = await postRaw(receiver.pushUrl, body, { ...JSON_CT, 'content-encoding': 'deflate' });
      expect(res.status).toBe(400);
      expect(res.body).toBe('EOF\n');
    }
  });

  it('prints a protobuf timestamp range error with the Go struct over several lines', async () => {
    const seconds = BigInt(Math.floor(Date.now() / 1000));
    const tsMsg = [0x08, ...varint(seconds), 0x10, ...varint(1_000_000_000n)];
    const entry = [0x0a, tsMsg.length, ...tsMsg, 0x12, 1, 0x6c];
    const labels = Buffer.from('{app="x"}');
    const stream = [0x0a, labels.length, ...labels, 0x12, entry.length, ...entry];
    const body = Buffer.from([0x0a, stream.length, ...stream]);
    const res = await postRaw(receiver.pushUrl, compressSnappyBlock(body), PROTO_CT);
    expect(res.status).toBe(400);
    expect(res.body).toBe(
      `timestamp: &types.Timestamp{Seconds: ${seconds},\nNanos: 1000000000,\n}: nanos not in range [0, 1e9)\n`,
    );
  });

  it('answers other methods on the push path with 405 and an empty body', async () => {
    const res = await fetch(receiver.pushUrl);
    expect(res.status).toBe(405);
    expect(await res.text()).toBe('');
  });
});

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

describe('query API', () => {
  async function seed(r: LokiReceiver): Promise<void> {
    const res = await postRaw(
      r.pushUrl,
      json([
        {
          stream: { app: 'api', env: 'prod' },
          values: [
            [tsAgo(3000), 'GET /users 200'],
            [tsAgo(2000), 'GET /orders 500 error'],
            [tsAgo(1000), 'POST /users 201', { trace_id: 't1' }],
          ],
        },
        { stream: { app: 'web', env: 'dev' }, values: [[tsAgo(1000), 'render home']] },
        { stream: { app: 'old', env: 'prod' }, values: [[tsAgo(3 * HOUR), 'long ago']] },
      ]),
      JSON_CT,
    );
    expect(res.status).toBe(204);
  }

  it('lists label names of streams in the window (default: the last hour); data is omitted when empty', async () => {
    await seed(receiver);
    expect(await responseJson(fetch(`${receiver.url}/loki/api/v1/labels`))).toEqual({
      status: 'success',
      data: ['app', 'env'],
    });
    const since = await responseJson(
      fetch(`${receiver.url}/loki/api/v1/labels?since=4h&query=${encodeURIComponent('{app="old"}')}`),
    );
    expect(since).toEqual({ status: 'success', data: ['app', 'env'] });
    const end = Math.floor(Date.now() / 1000) - 5 * 3600;
    expect(await responseJson(fetch(`${receiver.url}/loki/api/v1/labels?end=${end}`))).toEqual({ status: 'success' });
  });

  it('lists the values of one label, sorted, with start/end/since and query', async () => {
    await seed(receiver);
    expect(await responseJson(fetch(`${receiver.url}/loki/api/v1/label/app/values`))).toEqual({
      status: 'success',
      data: ['api', 'web'],
    });
    const start = Math.floor(Date.now() / 1000) - 4 * 3600;
    expect(await responseJson(fetch(`${receiver.url}/loki/api/v1/label/app/values?start=${start}`))).toEqual({
      status: 'success',
      data: ['api', 'old', 'web'],
    });
    expect(
      await responseJson(
        fetch(`${receiver.url}/loki/api/v1/label/app/values?since=4h&query=${encodeURIComponent('{env="prod"}')}`),
      ),
    ).toEqual({
      status: 'success',
      data: ['api', 'old'],
    });
    expect(await responseJson(fetch(`${receiver.url}/loki/api/v1/label/trace_id/values`))).toEqual({
      status: 'success',
    });
  });

  it('lists series for match[] selectors (OR), GET and POST', async () => {
    await seed(receiver);
    const url = `${receiver.url}/loki/api/v1/series?match[]=${encodeURIComponent('{env="prod"}')}&match[]=${encodeURIComponent('{app="web"}')}&since=4h`;
    expect(await responseJson(fetch(url))).toEqual({
      status: 'success',
      data: [
        { app: 'api', env: 'prod' },
        { app: 'web', env: 'dev' },
        { app: 'old', env: 'prod' },
      ],
    });
    const post = await fetch(`${receiver.url}/loki/api/v1/series`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `match[]=${encodeURIComponent('{app=~"a.*"}')}`,
    });
    expect(await responseJson(post)).toEqual({ status: 'success', data: [{ app: 'api', env: 'prod' }] });
    expect((await responseJson(fetch(`${receiver.url}/loki/api/v1/series`))).data).toHaveLength(2);
    expect((await fetch(`${receiver.url}/loki/api/v1/series?match[]=app`)).status).toBe(400);
  });

  it.each([
    ['{app="api"} |= "users"', ['POST /users 201', 'GET /users 200']],
    ['{app="api"} != "users"', ['GET /orders 500 error']],
    ['{app="api"} |~ "(?i)get .* [0-9]{3}"', ['GET /orders 500 error', 'GET /users 200']],
    ['{app="api"} !~ "^GET"', ['POST /users 201']],
    ['{app="api"} |= "users" != `POST`', ['GET /users 200']],
  ])('applies line filters in query_range: %s', async (query, lines) => {
    await seed(receiver);
    const res = await responseJson(fetch(queryUrl(receiver, query, '&X-Loki=1')));
    const got = res.data.result
      .flatMap((s: { values: string[][] }) => s.values)
      .sort((a: string[], b: string[]) => (a[0]! < b[0]! ? 1 : -1))
      .map((v: string[]) => v[1]);
    expect(got).toEqual(lines);
  });

  it('answers /loki/api/v1/label like /loki/api/v1/labels (Loki registers both)', async () => {
    await seed(receiver);
    expect(await responseJson(fetch(`${receiver.url}/loki/api/v1/label`))).toEqual({
      status: 'success',
      data: ['app', 'env'],
    });
  });

  it('lists series within start/end (end exclusive) and answers data: [] when none match', async () => {
    await seed(receiver);
    const nowS = Math.floor(Date.now() / 1000);
    const match = `match[]=${encodeURIComponent('{env="prod"}')}`;
    const old = await responseJson(
      fetch(`${receiver.url}/loki/api/v1/series?${match}&start=${nowS - 4 * 3600}&end=${nowS - 2 * 3600}`),
    );
    expect(old).toEqual({ status: 'success', data: [{ app: 'old', env: 'prod' }] });
    const recent = await responseJson(
      fetch(`${receiver.url}/loki/api/v1/series?${match}&start=${(BigInt(nowS - 60) * 1_000_000_000n).toString()}`),
    );
    expect(recent).toEqual({ status: 'success', data: [{ app: 'api', env: 'prod' }] });
    const none = await fetch(`${receiver.url}/loki/api/v1/series?match[]=${encodeURIComponent('{app="nope"}')}`);
    // Loki's JSON writer ends every answer with a newline.
    expect([none.status, await none.text()]).toEqual([200, '{"status":"success","data":[]}\n']);
  });

  it('returns 100 entries by default, and up to limit ≤ 5000 (max_entries_limit_per_query) when asked', async () => {
    const base = nsAgo(10_000);
    const values = Array.from({ length: 150 }, (_, i) => [(base + BigInt(i)).toString(), `line ${i}`]);
    expect((await postRaw(receiver.pushUrl, json([{ stream: { app: 'many' }, values }]), JSON_CT)).status).toBe(204);
    const count = async (extra: string): Promise<number> =>
      (await responseJson(fetch(queryUrl(receiver, '{app="many"}', extra)))).data.result.reduce(
        (n: number, s: { values: unknown[] }) => n + s.values.length,
        0,
      );
    expect(await count('')).toBe(100);
    expect(await count('&limit=150')).toBe(150);
    expect(await count('&limit=5000')).toBe(150);
    const newest = await responseJson(fetch(queryUrl(receiver, '{app="many"}', '&limit=2')));
    expect(newest.data.result[0].values.map((v: string[]) => v[1])).toEqual(['line 149', 'line 148']);
    const over = await fetch(queryUrl(receiver, '{app="many"}', '&limit=5001'));
    expect([over.status, await over.text()]).toEqual([
      400,
      'max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)\n',
    ]);
  });

  it('caps limit at maxEntriesLimitPerQuery', async () => {
    const r = await fresh({ limits: { maxEntriesLimitPerQuery: 2 } });
    await seed(r);
    const over = await fetch(queryUrl(r, '{app="api"}', '&limit=3'));
    expect(over.status).toBe(400);
    expect(await over.text()).toBe(
      'max entries limit per query exceeded, limit > max_entries_limit_per_query (3 > 2)\n',
    );
    const ok = await responseJson(fetch(queryUrl(r, '{app="api"}', '&limit=2&categorize-labels')));
    expect(ok.data.stats.summary.totalEntriesReturned).toBe(2);
  });
});
