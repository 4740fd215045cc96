// The delivery worker (default) and `worker: false` must store the same thing: one logger feeds both
// transports the same infos, each to its own receiver, and what each receiver stored is compared.
import type { LokiReceiver, StoredEntry } from '@loki-sdk/testing';
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { LokiTransport, type LokiTransportOptions } from '../src/index.js';
import { closeAfter, receiver, until } from './helpers.js';

const { format } = winston;

// Recent enough for Loki (a week at most), with sub-millisecond digits.
const OWN_TIME = `${new Date(Date.now() - 60_000).toISOString().slice(0, -1)}456789Z`;

function logEverything(logger: winston.Logger): number {
  const circular: Record<string, unknown> = { name: 'c' };
  circular.self = circular;
  const calls: Array<() => void> = [
    () => logger.info('plain', { orderId: 42, user: 'ann', amount: 9.5, ok: true, none: null }),
    () => logger.warn('labels', { label_region: 'eu', labels: { tier: 'gold' }, zeta: 1, alpha: 2 }),
    () => logger.info('only label fields', { label_route: '/a', label_code: 200 }),
    () => logger.info('nested', { req: { method: 'GET', headers: { a: '1' } }, list: [1, 'two'] }),
    () => logger.error('failed', { err: new Error('inner', { cause: new Error('root') }) }),
    () => logger.error(new Error('as info')),
    () =>
      logger.info('awkward', {
        circular,
        big: 12n,
        fn: function named() {},
        sym: Symbol('s'),
        gone: undefined,
        nan: Number.NaN,
      }),
    () => logger.info('with its own time', { timestamp: OWN_TIME }),
    () => logger.info('unreadable time', { timestamp: 'not a time' }),
    () => logger.info('invalid date', { timestamp: new Date(Number.NaN) }),
    () =>
      logger.info('text with "quotes", \\ backslash, \n newline, \u2028 and emoji 🚀', {
        'key with space': 'v',
        ü: 'ü',
      }),
    () => logger.log({ level: 'info', message: { nested: true } as unknown as string }),
    () => logger.info(42 as unknown as string),
    () => logger.debug('below the level'),
  ];
  for (const call of calls) call();
  return calls.length - 1; // the debug call is filtered by winston
}

/** What Loki stored, comparable across receivers. */
function stored(r: LokiReceiver): unknown[] {
  return r
    .entries()
    .map((e: StoredEntry) => {
      // JSON compared as values: with the logger's json() the worker keeps json()'s key order (by name).
      let line: unknown = e.line;
      try {
        line = JSON.parse(e.line);
      } catch {
        const text = /^(.*?) (\{.*\})$/s.exec(e.line); // lineFormat 'text': "message {meta}"
        if (text) line = [text[1], JSON.parse(text[2]!)];
      }
      return { labels: e.labels, line, metadata: e.metadata };
    })
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

const loggerFormats: Array<[string, winston.Logform.Format | undefined]> = [
  ["winston's default json()", undefined],
  ['timestamp() + json()', format.combine(format.timestamp(), format.json())],
  [
    'json() with a replacer',
    format.json({ replacer: (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v) }),
  ],
  ['errors() + json()', format.combine(format.errors({ stack: true }), format.json())],
  ['colorize() + simple()', format.combine(format.colorize(), format.simple())],
];

const transportVariants: Array<[string, LokiTransportOptions]> = [
  ['defaults', {}],
  ["lineFormat 'text'", { lineFormat: 'text' }],
  ["lineFormat 'metadata'", { lineFormat: 'metadata' }],
  ['levelLabel: false', { levelLabel: false, labels: { app: 'a' } }],
  [
    'a format on the transport',
    { format: format.printf((i) => `${i.level} ${String(i.message)} ${JSON.stringify(i.orderId ?? null)}`) },
  ],
  [
    'useWinstonMetaAsLabels',
    { useWinstonMetaAsLabels: true, ignoredMeta: ['req', 'err', 'circular', 'list', 'big', 'fn', 'sym', 'nan'] },
  ],
];

describe('the delivery worker stores exactly what the in-thread transport stores', () => {
  for (const [formatName, loggerFormat] of loggerFormats) {
    it.each(transportVariants)(`logger format ${formatName}, transport %s`, async (_name, options) => {
      const viaWorker = await receiver();
      const inThread = await receiver();
      const worker = closeAfter(new LokiTransport({ host: viaWorker.url, exitHook: false, ...options }));
      const local = closeAfter(new LokiTransport({ host: inThread.url, exitHook: false, worker: false, ...options }));
      const logger = winston.createLogger({
        transports: [worker, local],
        ...(loggerFormat ? { format: loggerFormat } : {}),
      });
      const count = logEverything(logger);
      const [a, b] = await Promise.all([worker.flush(), local.flush()]);
      expect([a, b]).toMatchObject([{ ok: true }, { ok: true }]);
      expect(viaWorker.entries()).toHaveLength(count);
      expect(stored(viaWorker)).toEqual(stored(inThread));
      // Unreadable times (text, an invalid Date) are counted alike (the worker read an invalid Date as none).
      expect(worker.stats().invalidTimestamps).toBe(local.stats().invalidTimestamps);
      // Both stamp the entry that carried its own time with that time, to the nanosecond.
      const own = (r: LokiReceiver) => r.entries().find((e) => e.line.includes('with its own time'))?.timestampNs;
      if (options.useWinstonMetaAsLabels !== true) expect(own(viaWorker)).toBe(own(inThread));
    });
  }

  it('json() reuse keeps `message` first in the line; the other fields follow json() (by name)', async () => {
    const r = await receiver();
    const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false }));
    const logger = winston.createLogger({ transports: [transport] });
    logger.info('m', { zeta: 1, alpha: 'a' });
    await transport.flush();
    expect(r.entries()[0]!.line).toBe('{"message":"m","alpha":"a","zeta":1}');
  });

  it('times: entries without a time of their own get the time of the call, ns, strictly increasing', async () => {
    const r = await receiver();
    const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false }));
    const logger = winston.createLogger({ transports: [transport] });
    // ±2 ms: the ns clock is the monotonic clock anchored to the wall clock, re-anchored past 1 ms of drift.
    const before = BigInt(Date.now() - 2) * 1_000_000n;
    for (let i = 0; i < 2000; i++) logger.info('tick', { i });
    const after = BigInt(Date.now() + 2) * 1_000_000n;
    await transport.flush();
    const entries = r.entries();
    expect(entries.map((e) => JSON.parse(e.line).i)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    const times = entries.map((e) => BigInt(e.timestampNs));
    for (let i = 1; i < times.length; i++) expect(times[i]! > times[i - 1]!).toBe(true);
    expect(times[0]! >= before && times.at(-1)! <= after).toBe(true);
  });

  it('the app changing its objects right after the call does not change what is stored', async () => {
    const r = await receiver();
    const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false }));
    const logger = winston.createLogger({ transports: [transport] });
    const meta = { user: 'before', nested: { step: 'before' } };
    logger.info('snapshot', meta);
    meta.user = 'after';
    meta.nested.step = 'after';
    await transport.flush();
    expect(JSON.parse(r.entries()[0]!.line)).toEqual({
      message: 'snapshot',
      user: 'before',
      nested: { step: 'before' },
    });
  });

  it('stats() adds up: pushed = stored + dropped, nothing left buffered after a flush', async () => {
    const r = await receiver();
    const transport = closeAfter(
      new LokiTransport({ host: r.url, exitHook: false, bufferMaxEntries: 100, batchIntervalMillis: 10_000 }),
    );
    const logger = winston.createLogger({ transports: [transport] });
    for (let i = 0; i < 5000; i++) logger.info('burst', { i });
    const result = await transport.flush();
    const stats = transport.stats();
    expect(stats.entriesPushed).toBe(5000);
    expect(stats.entriesSent + stats.entriesDropped).toBe(5000);
    expect(stats.entriesSent).toBe(r.entries().length);
    expect(stats.droppedByReason.buffer_full).toBe(stats.entriesDropped);
    expect(stats.entriesDropped).toBeGreaterThan(0);
    expect(stats.bufferedEntries).toBe(0);
    expect(result.pending).toBe(0);
    // Oldest dropped, newest kept, in order (core's rule, applied in the worker).
    const kept = r.entries().map((e) => JSON.parse(e.line).i as number);
    expect(kept.at(-1)).toBe(4999);
    expect(kept).toEqual([...kept].sort((x, y) => x - y));
  });

  it('stats().compression names the encoder in use, also across the delivery worker', async () => {
    const r = await receiver();
    for (const [encoding, compression] of [
      ['json-gzip', 'gzip'],
      ['json', 'none'],
      ['protobuf', 'snappy-native'],
    ] as const) {
      for (const worker of [true, false]) {
        const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false, encoding, worker }));
        winston.createLogger({ transports: [transport] }).info('compressed', { encoding });
        await transport.flush();
        // The worker publishes its counters every 50 ms.
        await until(() => transport.stats().compression === compression);
      }
    }
  });
});
