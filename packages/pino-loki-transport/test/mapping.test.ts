import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { endTransport, flushLogger, jsonLines, lokiLogger, receiver } from './helpers.js';

// Loki rejects entries older than a week: fixed times in tests are taken from today.
const FIXED_MS = Date.now() - 60_000;
const FIXED_NS = BigInt(FIXED_MS) * 1_000_000n + 456_789n;
const FIXED_ISO_NANO = new Date(FIXED_MS).toISOString().replace('Z', '456789Z');

describe('pino record -> Loki entry, through the real pino worker', () => {
  it('ships the pino record as its JSON line, level as a label by name, static labels', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { labels: { app: 'shop', env: 'test' } });
    logger.info({ orderId: 42, nested: { a: [1, 2] } }, 'order placed');
    logger.warn('careful');
    logger.error(new Error('boom'));
    await flushLogger(logger);

    const entries = r.entries();
    expect(entries.map((e) => e.labels)).toEqual([
      { app: 'shop', env: 'test', level: 'info' },
      { app: 'shop', env: 'test', level: 'warn' },
      { app: 'shop', env: 'test', level: 'error' },
    ]);
    const first = JSON.parse(entries[0]!.line) as Record<string, unknown>;
    // The line is the record pino wrote: same fields, same order, numeric level kept.
    expect(Object.keys(first)).toEqual(['level', 'time', 'pid', 'hostname', 'orderId', 'nested', 'msg']);
    expect(first).toMatchObject({ level: 30, orderId: 42, nested: { a: [1, 2] }, msg: 'order placed' });
    expect(entries[0]!.timestampNs).toBe(BigInt(first.time as number) * 1_000_000n);
    expect(entries[0]!.metadata).toEqual({});
    const err = JSON.parse(entries[2]!.line) as { err: { type: string; message: string; stack: string } };
    expect(err.err).toMatchObject({ type: 'Error', message: 'boom' });
    expect(err.err.stack).toContain('Error: boom');
  });

  it('label_* fields (also bound with child()) become labels and leave the line, byte for byte otherwise', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(
      r,
      { labels: { app: 'shop' } },
      { base: { pid: 1, hostname: 'h' }, timestamp: () => `,"time":${FIXED_MS}` },
    );
    const auth = logger.child({ label_service: 'auth', requestId: 'r-1' });
    auth.info({ label_region: 'eu', big: 12345678901234567890n.toString(), n: 1.5 }, 'login');
    logger.info({ label_app: 'override' }, 'mine');
    await flushLogger(logger);

    const [login, mine] = r.entries();
    expect(login!.labels).toEqual({ app: 'shop', level: 'info', service: 'auth', region: 'eu' });
    expect(login!.line).toBe(
      `{"level":30,"time":${FIXED_MS},"pid":1,"hostname":"h","requestId":"r-1","big":"12345678901234567890","n":1.5,"msg":"login"}`,
    );
    expect(login!.timestampNs).toBe(BigInt(FIXED_MS) * 1_000_000n);
    // A label field wins over the static label of the same name.
    expect(mine!.labels).toEqual({ app: 'override', level: 'info' });
    expect(mine!.line).toBe(`{"level":30,"time":${FIXED_MS},"pid":1,"hostname":"h","msg":"mine"}`);
  });

  it('custom levels get their names (pino sends its levels to the worker)', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, {}, { customLevels: { notice: 35, audit: 45 } });
    logger.notice!('n');
    logger.audit!('a');
    logger.info('i');
    await flushLogger(logger);
    expect(r.entries().map((e) => e.labels.level)).toEqual(['notice', 'audit', 'info']);
    // The numeric level stays in the line as pino wrote it.
    expect(jsonLines(r).map((l) => l.level)).toEqual([35, 45, 30]);
  });

  it('custom levels and messageKey also with several targets in the worker', async () => {
    const r = await receiver();
    const transport = pino.transport({
      targets: [
        { target: 'pino-pretty', options: { destination: '/dev/null' } },
        { target: '@loki-sdk/pino-loki-transport', options: { host: r.url, lineFormat: 'message' } },
      ],
    });
    const logger = pino({ customLevels: { notice: 35 }, messageKey: 'text' }, transport);
    try {
      logger.notice('n');
      await flushLogger(logger as unknown as pino.Logger<string>);
      expect(r.entries().map((e) => [e.labels.level, e.line])).toEqual([['notice', 'n']]);
    } finally {
      await endTransport(transport);
    }
  });

  it('useOnlyCustomLevels and levelMap renames', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(
      r,
      { levelMap: { warn: 'warning', '60': 'critical' } },
      { customLevels: { loud: 70 } },
    );
    logger.warn('w');
    logger.fatal('f');
    logger.loud!('l');
    await flushLogger(logger);
    expect(r.entries().map((e) => e.labels.level)).toEqual(['warning', 'critical', 'loud']);

    const r2 = await receiver();
    const only = lokiLogger(r2, {}, { customLevels: { low: 10, high: 90 }, useOnlyCustomLevels: true, level: 'low' });
    only.logger.high!('h');
    only.logger.low!('l');
    await flushLogger(only.logger);
    expect(r2.entries().map((e) => e.labels.level)).toEqual(['high', 'low']);
  });

  it('honours messageKey and errorKey in message line format; other fields become structured metadata', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(
      r,
      { lineFormat: 'message' },
      { messageKey: 'message', errorKey: 'error', base: { pid: 7 } },
    );
    logger.child({ label_service: 'api' }).info({ user: 'ann', count: 3 }, 'hello %s', 'world');
    logger.error(new Error('disk full'));
    logger.error({ error: new Error('with text') }, 'failed to save');
    await flushLogger(logger);

    const [hello, disk, save] = r.entries();
    expect(hello!.line).toBe('hello world');
    expect(hello!.labels).toEqual({ level: 'info', service: 'api' });
    expect(hello!.metadata).toEqual({ pid: '7', user: 'ann', count: '3' });
    expect(disk!.line).toBe('disk full');
    expect(JSON.parse(disk!.metadata.error!)).toMatchObject({ type: 'Error', message: 'disk full' });
    expect(save!.line).toBe('failed to save');
    expect(JSON.parse(save!.metadata.error!)).toMatchObject({ message: 'with text' });
  });

  it('messageKey in json format just stays in the line', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, {}, { messageKey: 'message' });
    logger.info('x');
    await flushLogger(logger);
    expect(jsonLines(r)[0]).toMatchObject({ message: 'x' });
  });

  it.each([
    ['epoch ms (default)', {}, (t: bigint, now: bigint) => t % 1_000_000n === 0n && abs(t - now) < 5_000_000_000n],
    [
      'unixTime',
      { timestamp: pino.stdTimeFunctions.unixTime },
      (t: bigint, now: bigint) => t % 1_000_000_000n === 0n && abs(t - now) < 5_000_000_000n,
    ],
    [
      'isoTime',
      { timestamp: pino.stdTimeFunctions.isoTime },
      (t: bigint, now: bigint) => t % 1_000_000n === 0n && abs(t - now) < 5_000_000_000n,
    ],
    ['custom ISO string with ns', { timestamp: () => `,"time":"${FIXED_ISO_NANO}"` }, (t: bigint) => t === FIXED_NS],
    ['custom ns digits', { timestamp: () => `,"time":"${FIXED_NS}"` }, (t: bigint) => t === FIXED_NS],
    ['none (timestamp: false)', { timestamp: false }, (t: bigint, now: bigint) => abs(t - now) < 5_000_000_000n],
  ] as const)('time format %s', async (_name, loggerOptions, check) => {
    const r = await receiver();
    const { logger } = lokiLogger(r, {}, loggerOptions);
    const now = BigInt(Date.now()) * 1_000_000n;
    logger.info('a');
    logger.info('b');
    await flushLogger(logger);
    const [a, b] = r.entries();
    expect(check(a!.timestampNs, now)).toBe(true);
    // Same-ms (or same-second) records keep their order: core tie-breaks by 1 ns per stream.
    expect(b!.timestampNs > a!.timestampNs).toBe(true);
    expect([a!.line, b!.line].map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['a', 'b']);
  });

  it('isoTimeNano keeps nanoseconds', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, {}, { timestamp: pino.stdTimeFunctions.isoTimeNano });
    logger.info('a');
    await flushLogger(logger);
    const [a] = r.entries();
    const time = (JSON.parse(a!.line) as { time: string }).time;
    const digits = /\.(\d{9})Z$/.exec(time)![1]!;
    expect(a!.timestampNs % 1_000_000_000n).toBe(BigInt(digits));
  });

  it('keeps order of 2000 records logged in the same few milliseconds', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r);
    for (let i = 0; i < 2000; i++) logger.info({ i }, 'tick');
    await flushLogger(logger);
    const entries = r.entries();
    expect(entries.map((e) => (JSON.parse(e.line) as { i: number }).i)).toEqual(
      Array.from({ length: 2000 }, (_, i) => i),
    );
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.timestampNs > entries[i - 1]!.timestampNs).toBe(true);
  });

  it('propsToLabels (dotted paths) and metadataKey', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(
      r,
      { propsToLabels: ['component', 'req.method'], metadataKey: 'meta' },
      { base: null, timestamp: false },
    );
    logger.info({ component: 'db', req: { method: 'GET' }, meta: { traceId: 't1', spanId: 's1' } }, 'query');
    await flushLogger(logger);
    const [e] = r.entries();
    expect(e!.labels).toEqual({ level: 'info', component: 'db', req_method: 'GET' });
    expect(e!.metadata).toEqual({ traceId: 't1', spanId: 's1' });
    // Labels copied by propsToLabels stay in the line; the metadata object leaves it.
    expect(e!.line).toBe('{"level":30,"component":"db","req":{"method":"GET"},"msg":"query"}');
  });

  it('a formatters.level string level is used as is', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, {}, { formatters: { level: (label) => ({ level: label.toUpperCase() }) } });
    logger.info('x');
    await flushLogger(logger);
    expect(r.entries()[0]!.labels.level).toBe('INFO');
  });
});

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}
