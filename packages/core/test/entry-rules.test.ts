// The rules every entry point shares (time, label_ fields, metadata names, JSON text), proven on what
// the receiver stores and, for the JSON encoding, on the body that went over the wire.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { LokiReceiver } from '@loki-sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { LokiSDK } from '../src/sdk-entry.js';
import { client, receiver } from './helpers.js';

const NS_PER_MS = 1_000_000n;

/** A time Loki accepts (not older than a week), as ms, and the same as ns. */
const MS = Date.now() - 60_000;
const S = Math.floor(MS / 1000);

/** Stored entries by line. */
function byLine(
  r: LokiReceiver,
): Record<string, { timestampNs: bigint; labels: Record<string, string>; metadata: Record<string, string> }> {
  return Object.fromEntries(r.entries().map((e) => [e.line, e]));
}

describe('timestamps: numbers and digit strings are read by magnitude', () => {
  it('a digit string of Date.now() is stored at that millisecond, not in 1970 (and not lost to a 400)', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    c.push({ message: 'ms string', timestamp: String(MS) });
    expect((await c.flush()).ok).toBe(true);
    expect(r.entries().map((e) => e.timestampNs)).toEqual([BigInt(MS) * NS_PER_MS]);
    expect(c.stats().invalidTimestamps).toBe(0);
  });

  it('s, ms, µs and ns, as numbers and as digit strings, land on the same instant', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    const base = BigInt(S) * 1_000_000_000n;
    const cases: Array<[string, unknown, bigint]> = [
      ['s number', S, base],
      ['s fraction', S + 0.25, base + 250_000_000n],
      ['ms number', S * 1000 + 7, base + 7_000_000n],
      ['µs number', S * 1_000_000 + 8, base + 8_000n],
      ['s digits', String(S), base],
      ['s fraction digits', `${S}.5`, base + 500_000_000n],
      ['ms digits', `${S}009`, base + 9_000_000n],
      ['µs digits', `${S}000010`, base + 10_000n],
      ['ns digits', `${S}000000011`, base + 11n],
      ['ns bigint', base + 12n, base + 12n],
    ];
    // One stream per case: the same-time tie-break of a stream does not move them.
    for (const [name, timestamp] of cases)
      c.push({ message: name, timestamp: timestamp as never, labels: { c: name.replace(/\W/g, '_') } });
    expect((await c.flush()).ok).toBe(true);
    const got = byLine(r);
    for (const [name, , expected] of cases) expect([name, got[name]?.timestampNs]).toEqual([name, expected]);
    expect(c.stats().invalidTimestamps).toBe(0);
  });

  it('a value that cannot be a plausible time gets now and is counted', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    const bad = [
      '99999999999999999999999',
      1e300,
      -5,
      '-1700000000000',
      0,
      '2024',
      1e10,
      'yesterday-ish',
      '',
      Number.NaN,
      '+275760-09-13T00:00:00.000Z',
      '1960-01-01T00:00:00Z',
    ];
    const before = BigInt(Date.now()) * NS_PER_MS;
    bad.forEach((timestamp, i) => c.push({ message: `bad ${i}`, timestamp: timestamp, labels: { i: String(i) } }));
    expect((await c.flush()).ok).toBe(true);
    const after = BigInt(Date.now()) * NS_PER_MS;
    expect(r.entries()).toHaveLength(bad.length);
    for (const e of r.entries()) {
      expect(e.timestampNs >= before - 2n * NS_PER_MS && e.timestampNs <= after + 2n * NS_PER_MS).toBe(true);
    }
    expect(c.stats().invalidTimestamps).toBe(bad.length);
  });

  it.each(['99999999999999999999999', 1e300])(
    '2 000 good entries and one at %s: all 2 001 stored (protobuf)',
    async (badTime) => {
      const r = await receiver();
      const { client: c } = client(r, { batchMaxEntries: 5000, batchIntervalMillis: 10_000 });
      for (let i = 0; i < 1000; i++) c.push({ message: `good ${i}`, timestamp: MS + i });
      c.push({ message: 'bad', timestamp: badTime });
      for (let i = 1000; i < 2000; i++) c.push({ message: `good ${i}`, timestamp: MS + i });
      const result = await c.flush();
      expect(result.ok).toBe(true);
      expect(r.requests.map((q) => q.status)).toEqual([204]);
      expect(r.entries()).toHaveLength(2001);
      expect(c.stats().invalidTimestamps).toBe(1);
    },
  );

  it('the SDK: 2 000 good calls and one with an out-of-range time are all stored', async () => {
    const r = await receiver();
    const s = new LokiSDK().init({
      appName: 'times',
      endpoints: { loki: r.pushUrl },
      printToConsole: false,
      exitHook: false,
    });
    try {
      for (let i = 0; i < 1000; i++) s.info(`good ${i}`, { timestamp: MS + i });
      s.info('bad', { timestamp: '99999999999999999999999' });
      for (let i = 1000; i < 2000; i++) s.info(`good ${i}`, { timestamp: MS + i });
      await s.flush();
      expect(r.entries()).toHaveLength(2001);
      expect(r.requests.every((q) => q.status === 204)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('a disk segment holding one out-of-range record replays all the others', async () => {
    const r = await receiver();
    const dir = mkdtempSync(join(tmpdir(), 'loki-times-'));
    const base = BigInt(MS) * NS_PER_MS;
    const stream = '{app="disk"}';
    const records = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({
        s: stream,
        l: [['app', 'disk']],
        t: i === 50 ? '99999999999999999999999' : (base + BigInt(i)).toString(),
        m: `rec ${i}`,
      }),
    );
    // A segment left by a process that is gone (no lock file): an orphan the next client replays.
    writeFileSync(join(dir, 'seg-999999-1-abcdef-0.seg'), `${records.join('\n')}\n`);
    const { client: c } = client(r, { diskBuffer: { directory: dir } });
    expect((await c.flush()).ok).toBe(true);
    expect(c.stats().diskEntriesReplayed).toBe(100);
    expect(r.entries()).toHaveLength(100);
    expect(byLine(r)['rec 49']!.timestampNs).toBe(base + 49n);
    expect(c.stats().invalidTimestamps).toBe(1);
    await c.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toEqual([]);
  });
});

describe('a field named exactly label_', () => {
  it('becomes metadata named label_, not a label, and is not lost', async () => {
    const r = await receiver();
    const { client: c } = client(r, { labels: { app: 'l' } });
    c.push({ message: 'bare prefix', label_: 'kept', label_x: 'lab' });
    expect((await c.flush()).ok).toBe(true);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ app: 'l', x: 'lab' });
    expect(entry!.metadata).toEqual({ label_: 'kept' });
  });
});

describe('entries with their own labels: the stream found again from raw values', () => {
  it('a labels object and label_* fields of the same names, levels, numbers and objects each get their stream', async () => {
    const r = await receiver();
    const { client: c } = client(r, { labels: { app: 'a' } });
    const records: Array<Record<string, unknown> & { message: string }> = [
      { message: 'field', level: 'info', label_route: 'x' },
      { message: 'labels object named like the field', level: 'info', labels: { label_route: 'x' } },
      { message: 'labels object', level: 'info', labels: { route: 'x' } },
      { message: 'other level', level: 'error', label_route: 'x' },
      { message: 'number', level: 'info', label_route: 1 },
      { message: 'digit string', level: 'info', label_route: '1' },
      { message: 'object value', level: 'info', label_route: { a: 1 } },
      { message: 'two fields', level: 'info', label_route: 'x', label_zone: 'eu' },
      { message: 'two fields, other order', level: 'info', label_zone: 'eu', label_route: 'x' },
      { message: 'field again', level: 'info', label_route: 'x' },
    ];
    for (let round = 0; round < 2; round++)
      for (const rec of records) c.push({ ...rec, message: `${rec.message} ${round}` });
    expect((await c.flush()).ok).toBe(true);
    const stored = byLine(r);
    const labelsOf = (message: string) => [0, 1].map((round) => stored[`${message} ${round}`]!.labels);
    const both = (labels: Record<string, string>) => [labels, labels];
    expect(labelsOf('field')).toEqual(both({ app: 'a', level: 'info', route: 'x' }));
    expect(labelsOf('labels object named like the field')).toEqual(both({ app: 'a', level: 'info', label_route: 'x' }));
    expect(labelsOf('labels object')).toEqual(both({ app: 'a', level: 'info', route: 'x' }));
    expect(labelsOf('other level')).toEqual(both({ app: 'a', level: 'error', route: 'x' }));
    expect(labelsOf('number')).toEqual(both({ app: 'a', level: 'info', route: '1' }));
    expect(labelsOf('digit string')).toEqual(both({ app: 'a', level: 'info', route: '1' }));
    expect(labelsOf('object value')).toEqual(both({ app: 'a', level: 'info', route: '{"a":1}' }));
    expect(labelsOf('two fields')).toEqual(both({ app: 'a', level: 'info', route: 'x', zone: 'eu' }));
    expect(labelsOf('two fields, other order')).toEqual(both({ app: 'a', level: 'info', route: 'x', zone: 'eu' }));
    expect(labelsOf('field again')).toEqual(both({ app: 'a', level: 'info', route: 'x' }));
  });
});

describe('structured-metadata names', () => {
  it('reach Loki as [A-Za-z_][A-Za-z0-9_]*, as Loki would store them; an empty name is dropped and counted', async () => {
    const r = await receiver();
    const { client: c } = client(r, { labels: { app: 'md' } });
    c.push({
      message: 'names',
      'ü.z': 'a',
      日本: 'b',
      'trace.id': 'c',
      '1x': 'd',
      _y: 'e',
      __w: 'f',
      ok_Name9: 'g',
      metadata: { '': 'gone', 'a-b': 'h', '😀': 'i' },
    });
    expect((await c.flush()).ok).toBe(true);
    const [entry] = r.entries();
    expect(entry!.metadata).toEqual({
      __w: 'f',
      ok_Name9: 'g',
      a_b: 'h',
      key_: 'i',
      trace_id: 'c',
      key_1x: 'd',
      key_y: 'e',
      __z: 'a',
      __: 'b',
    });
    expect(Object.keys(entry!.metadata).every((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))).toBe(true);
    expect(c.stats().metadataNamesDropped).toBe(1);
    // What the user meets: the stream stays readable (Loki answers 500 to every query of a stream with a
    // non-ASCII or empty name).
    const query = await fetch(`${r.url}/loki/api/v1/query_range?query=${encodeURIComponent('{app="md"}')}&since=1h`);
    expect(query.status).toBe(200);
  });
});

/** A pass-through to the receiver that keeps every request body (gunzipped) as text. */
async function wireTap(r: LokiReceiver): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      bodies.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('latin1'));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      fetch(`${r.url}${req.url ?? ''}`, { method: 'POST', headers, body: raw })
        .then(async (answer) => {
          res.writeHead(answer.status);
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  taps.push(server);
  return {
    url: `http://127.0.0.1:${address.port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
const taps: Server[] = [];
afterEach(() => {
  for (const t of taps.splice(0)) t.close();
});

describe('JSON encoding and lone surrogates', () => {
  it.each(['json', 'json-gzip'] as const)(
    '%s: lone surrogates go out as U+FFFD, never as a \\ud800 escape; the whole request is stored',
    async (encoding) => {
      const r = await receiver();
      const tap = await wireTap(r);
      const { client: c } = client(r, { host: tap.url, encoding, labels: { app: 'sur' } });
      c.push({ message: 'good before' });
      c.push({ message: 'high \ud800 alone', k: 'low \udc00 alone', label_l: 'lab \ud83d' });
      c.push({ message: 'pair 😀 fine' });
      expect((await c.flush()).ok).toBe(true);
      expect(tap.bodies).toHaveLength(1);
      // No lone-surrogate escape on the wire (real Loki's JSON decoder refuses it with a 400).
      expect(tap.bodies[0]).not.toMatch(/\\u[dD][89abAB]/);
      expect(tap.bodies[0]).not.toMatch(/\\u[dD][c-fC-F]/);
      const got = byLine(r);
      expect(Object.keys(got).sort()).toEqual(['good before', 'high \ufffd alone', 'pair 😀 fine']);
      // Loki stores U+FFFD in a metadata value as a space; a label value cannot hold it (it becomes '?').
      expect(got['high \ufffd alone']!.metadata).toEqual({ k: 'low   alone' });
      expect(got['high \ufffd alone']!.labels).toEqual({ app: 'sur', l: 'lab ?' });
    },
  );
});
