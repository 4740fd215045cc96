import { describe, expect, it } from 'vitest';
import { client, receiver, until } from './helpers.js';

describe('mapping: what Loki stores', () => {
  it('turns label_* fields, a labels object and static labels into stream labels, other fields into metadata', async () => {
    const r = await receiver();
    const { client: c } = client(r, { labels: { app: 'shop', 'service.name': 'api' } });
    c.push({
      message: 'paid',
      level: 'info',
      label_user_id: 12345,
      labels: { region: 'eu' },
      amount: 100.5,
      currency: 'USD',
      ok: false,
    });
    expect((await c.flush()).ok).toBe(true);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ app: 'shop', service_name: 'api', level: 'info', user_id: '12345', region: 'eu' });
    expect(entry!.line).toBe('paid');
    expect(entry!.metadata).toEqual({ amount: '100.5', currency: 'USD', ok: 'false' });
  });

  it('repeated label sets (cached) and changing ones each land in their own stream', async () => {
    const r = await receiver();
    const { client: c } = client(r, { labels: { app: 'cache' } });
    for (let i = 0; i < 30; i++) {
      c.push({ message: `m${i}`, level: i % 2 ? 'warn' : 'info', label_route: `/r${i % 3}`, labels: { n: i % 2 } });
    }
    c.push({ message: 'object label', label_route: { path: '/x' } });
    await c.flush();
    const streams = r.streams().map((s) => [s.stream, s.entries.length]);
    expect(streams).toEqual([
      ['{app="cache", level="info", n="0", route="/r0"}', 5],
      ['{app="cache", level="warn", n="1", route="/r1"}', 5],
      ['{app="cache", level="info", n="0", route="/r2"}', 5],
      ['{app="cache", level="warn", n="1", route="/r0"}', 5],
      ['{app="cache", level="info", n="0", route="/r1"}', 5],
      ['{app="cache", level="warn", n="1", route="/r2"}', 5],
      ['{app="cache", route="{\\"path\\":\\"/x\\"}"}', 1],
    ]);
  });

  it('label_* fields win over the labels object, which wins over static labels', async () => {
    const r = await receiver();
    const { client: c } = client(r, { labels: { env: 'static' } });
    c.push({ message: 'x', labels: { env: 'object', tier: 'a' }, label_tier: 'field' });
    await c.flush();
    expect(r.entries()[0]!.labels).toEqual({ env: 'object', tier: 'field' });
  });

  it('drops empty label values and never sends a name Loki would reject', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    c.push({ message: 'x', labels: { empty: '', nil: null, 'bad-name': 'v', '0lead': 'w', __internal: 'z' } });
    await c.flush();
    expect(r.requests.every((q) => q.status === 204)).toBe(true);
    expect(r.entries()[0]!.labels).toEqual({ bad_name: 'v', _0lead: 'w', _internal: 'z' });
  });

  it("moves labels past Loki's 15 to metadata with a warning instead of a 400", async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, { levelLabel: false });
    const labels = Object.fromEntries(
      Array.from({ length: 18 }, (_, i) => [`l${String(i).padStart(2, '0')}`, `v${i}`]),
    );
    c.push({ message: 'many', labels });
    await c.flush();
    const [entry] = r.entries();
    expect(Object.keys(entry!.labels)).toHaveLength(15);
    expect(entry!.metadata).toEqual({ l15: 'v15', l16: 'v16', l17: 'v17' });
    expect(c.stats().labelsMovedToMetadata).toBe(3);
    expect(errors.map((e) => e.code)).toContain('ERR_LOKI_LABEL_LIMIT');
    expect(r.requests.map((q) => q.status)).toEqual([204]);
  });

  it('keeps the level as a label by default, or in metadata when levelLabel is false', async () => {
    const r = await receiver();
    const on = client(r).client;
    const off = client(r, { levelLabel: false, labels: { which: 'off' } }).client;
    on.push({ message: 'a', level: 'warn' });
    off.push({ message: 'b', level: 'warn' });
    await Promise.all([on.flush(), off.flush()]);
    expect(r.entries('{level="warn"}').map((e) => e.line)).toEqual(['a']);
    expect(r.entries('{which="off"}')[0]!.metadata).toEqual({ level: 'warn' });
  });

  it('stringifies metadata safely: circular objects, BigInt, Error with stack, symbols, functions, undefined', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    const circular: Record<string, unknown> = { name: 'c' };
    circular.self = circular;
    const err = new RangeError('out of range');
    c.push({ message: 'odd', circular, big: 2n ** 70n, err, sym: Symbol('s'), fn: () => 1, nothing: undefined });
    expect((await c.flush()).ok).toBe(true);
    const md = r.entries()[0]!.metadata;
    expect(md.circular).toBe('{"name":"c","self":"[Circular]"}');
    expect(md.big).toBe('1180591620717411303424');
    expect(JSON.parse(md.err!)).toMatchObject({ name: 'RangeError', message: 'out of range' });
    expect(JSON.parse(md.err!).stack).toContain('RangeError: out of range');
    expect(md.sym).toBe('Symbol(s)');
    expect(md.fn).toBe('[Function fn]');
    expect('nothing' in md).toBe(false);
  });

  it('never mutates the record it is given', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    const record = { message: 'm', label_a: 'x', labels: { b: 'y' }, meta: { deep: [1] } };
    const copy = structuredClone(record);
    c.push(record);
    await c.flush();
    expect(record).toEqual(copy);
  });

  it('merges fields into a JSON line in metadataMode "line"', async () => {
    const r = await receiver();
    const { client: c } = client(r, { metadataMode: 'line' });
    c.push({ message: 'Business operation', label_user_id: '12345', operation_type: 'payment', amount: 100.5 });
    await c.flush();
    const [entry] = r.entries();
    expect(JSON.parse(entry!.line)).toEqual({
      message: 'Business operation',
      operation_type: 'payment',
      amount: 100.5,
    });
    expect(entry!.metadata).toEqual({});
    expect(entry!.labels).toEqual({ user_id: '12345' });
  });

  it('keeps the given timestamps to the nanosecond, and the order of same-time entries', async () => {
    const r = await receiver();
    const { client: c } = client(r, { labels: { app: 't' } });
    const ms = Date.now() - 1000;
    c.push({ message: 'ns', timestamp: BigInt(ms) * 1_000_000n + 123_456n });
    c.push({ message: 'date', timestamp: new Date(ms) });
    c.push({ message: 'same', timestamp: ms });
    c.push({ message: 'same', timestamp: ms });
    c.push({ message: 'iso', timestamp: new Date(ms).toISOString().replace('Z', '789Z') });
    await c.flush();
    const got = r.entries().map((e) => [e.line, e.timestampNs - BigInt(ms) * 1_000_000n]);
    // An entry at (or less than 1 ms before) the stream's last time is moved 1 ns after it: order is
    // kept and Loki's (stream, time, line) duplicate check cannot collapse two real entries.
    expect(got).toEqual([
      ['ns', 123_456n],
      ['date', 123_457n],
      ['same', 123_458n],
      ['same', 123_459n],
      ['iso', 789_000n],
    ]);
  });

  it('stamps records without a time with now, in ns, strictly increasing within a stream', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    const before = BigInt(Date.now()) * 1_000_000n;
    for (let i = 0; i < 50; i++) c.push({ message: `n${i}` });
    await c.flush();
    const ts = r.entries().map((e) => e.timestampNs);
    expect(ts[0]! >= before - 2_000_000n).toBe(true);
    for (let i = 1; i < ts.length; i++) expect(ts[i]! > ts[i - 1]!).toBe(true);
    expect(r.entries().map((e) => e.line)).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
  });
});

describe('encoding', () => {
  it.each(['protobuf', 'json', 'json-gzip'] as const)(
    'stores the same streams, lines, times and metadata with %s',
    async (encoding) => {
      const r = await receiver();
      const { client: c } = client(r, { encoding, labels: { app: 'enc' } });
      const ts = BigInt(Date.now()) * 1_000_000n + 42n;
      c.push({ message: 'héllo "quoted"\nnext', level: 'info', timestamp: ts, k: 'v', label_tenant: 'a' });
      c.push({ message: 'second', level: 'error', timestamp: ts + 1n });
      c.push({ message: 'third', level: 'info', timestamp: ts + 2n, label_tenant: 'a' });
      expect((await c.flush()).ok).toBe(true);
      const streams = r.streams().map((s) => ({ labels: s.labels, lines: s.entries.map((e) => e.line) }));
      expect(streams).toEqual([
        { labels: { app: 'enc', level: 'info', tenant: 'a' }, lines: ['héllo "quoted"\nnext', 'third'] },
        { labels: { app: 'enc', level: 'error' }, lines: ['second'] },
      ]);
      expect(r.entries()[0]!.timestampNs).toBe(ts);
      expect(r.entries()[0]!.metadata).toEqual({ k: 'v' });
      const req = r.requests[0]!;
      expect(req.contentType).toBe(encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json');
      expect(req.contentEncoding).toBe(encoding === 'json-gzip' ? 'gzip' : undefined);
    },
  );

  it('groups entries into one stream object per label set in a request', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    for (let i = 0; i < 10; i++) c.push({ message: `m${i}`, labels: { b: 'x', a: String(i % 2) } });
    await c.flush();
    expect(r.requests).toHaveLength(1);
    expect(r.streams().map((s) => s.stream)).toEqual(['{a="0", b="x"}', '{a="1", b="x"}']);
  });
});

describe('batching', () => {
  it('sends when the count is reached, without waiting for the interval', async () => {
    const r = await receiver();
    const { client: c } = client(r, { batchMaxEntries: 10, batchIntervalMillis: 60_000 });
    for (let i = 0; i < 25; i++) c.push({ message: `m${i}` });
    await r.waitForEntries(20);
    expect(r.requests.map((q) => q.entriesReceived)).toEqual([10, 10]);
    await c.flush();
    expect(r.requests.map((q) => q.entriesReceived)).toEqual([10, 10, 5]);
  });

  it('sends when the interval passes', async () => {
    const r = await receiver();
    const { client: c } = client(r, { batchIntervalMillis: 50 });
    c.push({ message: 'soon' });
    await r.waitForEntries(1, { timeoutMillis: 5000 });
    await until(() => c.stats().entriesSent === 1);
  });

  it('caps the uncompressed payload of a request at batchMaxBytes', async () => {
    const r = await receiver();
    const { client: c } = client(r, { batchMaxBytes: 64 * 1024, batchIntervalMillis: 60_000 });
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 300; i++) c.push({ message: line });
    await c.flush();
    expect(r.entries()).toHaveLength(300);
    for (const q of r.requests) expect(q.entriesReceived * 1000).toBeLessThanOrEqual(64 * 1024);
  });

  it("truncates a line over Loki's 256 KiB limit and the batch it rides in is stored whole", async () => {
    const r = await receiver();
    const { client: c } = client(r);
    c.push({ message: 'before' });
    c.push({ message: 'y'.repeat(300_000) });
    c.push({ message: 'after' });
    await c.flush();
    expect(r.requests.map((q) => q.status)).toEqual([204]);
    const lines = r.entries().map((e) => e.line);
    expect(lines[0]).toBe('before');
    expect(lines[1]).toHaveLength(262144);
    expect(lines[2]).toBe('after');
    expect(c.stats().linesTruncated).toBe(1);
  });

  it('drops (and counts) an oversized line when oversizedLine is "drop"', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, { oversizedLine: 'drop' });
    c.push({ message: 'before' });
    c.push({ message: 'y'.repeat(300_000) });
    c.push({ message: 'after' });
    await c.flush();
    expect(r.entries().map((e) => e.line)).toEqual(['before', 'after']);
    expect(c.stats().droppedByReason.line_too_long).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['ERR_LOKI_LINE_TOO_LONG']);
  });

  it('stores exactly 100 000 records pushed in a tight loop, no request over the cap, no 5xx', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, { labels: { app: 'burst' } });
    for (let i = 0; i < 100_000; i++) c.push({ message: `record ${i}`, level: i % 10 === 0 ? 'error' : 'info', i });
    const result = await c.flush();
    expect(result).toMatchObject({ ok: true, acknowledged: 100_000, dropped: 0, pending: 0 });
    expect(r.stats().entriesStored).toBe(100_000);
    expect(r.requests.every((q) => q.status === 204)).toBe(true);
    expect(Math.max(...r.requests.map((q) => q.uncompressedBytes))).toBeLessThan(4 * 1024 * 1024);
    expect(errors).toEqual([]);
    expect(c.stats()).toMatchObject({ entriesSent: 100_000, entriesDropped: 0, bufferedEntries: 0 });
  }, 60_000);
});
