// A pino-loki 3 user changes only the target's name: their options (and CLI flags, in cli.test.ts) keep
// doing what they did — the streams (labels `level` with pino-loki's level names and `hostname`), the line,
// `meta` as structured metadata. Checked against pino-loki 3.0.0's source (dist/index.mjs: LogBuilder).
import { describe, expect, it } from 'vitest';
import { flushLogger, lokiLogger, receiver } from './helpers.js';

const FIXED_MS = Date.now() - 60_000;
const base = { base: { pid: 1, hostname: 'box-1' }, timestamp: () => `,"time":${FIXED_MS}` };

describe('pino-loki 3 options, through the real pino worker', () => {
  it("a config written with pino-loki's names gets pino-loki's streams: hostname label, its level names, meta as metadata", async () => {
    const r = await receiver();
    const { logger } = lokiLogger(
      r,
      { batching: { interval: 0.02 }, timeout: 5000, labels: { app: 'migrated' } } as never,
      base,
    );
    logger.info({ meta: { traceId: 't-1', n: 2 }, orderId: 7 }, 'placed');
    logger.warn('careful');
    logger.fatal('down');
    logger.trace('ignored'); // pino's default level is info
    await flushLogger(logger);

    const entries = r.entries();
    expect(entries.map((e) => e.labels)).toEqual([
      { app: 'migrated', hostname: 'box-1', level: 'info' },
      { app: 'migrated', hostname: 'box-1', level: 'warning' },
      { app: 'migrated', hostname: 'box-1', level: 'critical' },
    ]);
    // hostname leaves the line (it is a label), as in pino-loki; meta goes to structured metadata.
    expect(entries[0]!.line).toBe(`{"level":30,"time":${FIXED_MS},"pid":1,"orderId":7,"msg":"placed"}`);
    expect(entries[0]!.metadata).toEqual({ traceId: 't-1', n: '2' });
  });

  it('our own config keeps our defaults: no hostname label, pino level names, meta stays in the line', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { labels: { app: 'ours' } }, base);
    logger.warn({ meta: { traceId: 't-1' } }, 'careful');
    await flushLogger(logger);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ app: 'ours', level: 'warn' });
    expect(entry!.line).toBe(
      `{"level":40,"time":${FIXED_MS},"pid":1,"hostname":"box-1","meta":{"traceId":"t-1"},"msg":"careful"}`,
    );
  });

  it('hostnameLabel, convertArrays and logFormat are options of ours too; ours win over the pino-loki defaults', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { hostnameLabel: true, convertArrays: true }, base);
    logger.info({ tags: ['a', 'b'], deep: { list: [1, [2]] } }, 'arrays');
    await flushLogger(logger);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ hostname: 'box-1', level: 'info' });
    expect(JSON.parse(entry!.line)).toEqual({
      level: 30,
      time: FIXED_MS,
      pid: 1,
      tags: { 0: 'a', 1: 'b' },
      deep: { list: { 0: 1, 1: { 0: 2 } } },
      msg: 'arrays',
    });

    const r2 = await receiver();
    const { logger: l2 } = lokiLogger(r2, { logFormat: '{lokilevel} [{req.method}] {msg} {missing}|' }, base);
    l2.warn({ req: { method: 'GET' } }, 'hello');
    await flushLogger(l2);
    const [formatted] = r2.entries();
    expect(formatted!.line).toBe('warn [GET] hello |');
    expect(formatted!.labels).toEqual({ level: 'warn' });
  });

  it("structuredMetaKey: false turns pino-loki's meta default off; levelMap, hostnameLabel: false override it", async () => {
    const r = await receiver();
    const { logger } = lokiLogger(
      r,
      { batching: false, structuredMetaKey: false, hostnameLabel: false, levelMap: { 40: 'WARN' } } as never,
      base,
    );
    logger.warn({ meta: { traceId: 't-1' } }, 'careful');
    await flushLogger(logger);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ level: 'WARN' });
    expect(entry!.metadata).toEqual({});
    expect(JSON.parse(entry!.line)).toMatchObject({ hostname: 'box-1', meta: { traceId: 't-1' } });
  });

  it("pino-loki's logFormat with its level names and the hostname label", async () => {
    const r = await receiver();
    const { logger } = lokiLogger(
      r,
      { logFormat: '{lokilevel}: {msg} ({hostname})', batching: { interval: 0.02, maxBufferSize: 0 } } as never,
      base,
    );
    logger.error('broken');
    await flushLogger(logger);
    const [entry] = r.entries();
    // pino-loki formats the record without hostname (a label): `{hostname}` is empty there too.
    expect(entry!.line).toBe('error: broken ()');
    expect(entry!.labels).toEqual({ hostname: 'box-1', level: 'error' });
  });
});
