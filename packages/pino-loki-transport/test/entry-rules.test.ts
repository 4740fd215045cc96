// Core's shared rules (time, label_ fields, metadata names) as a pino user meets them: through the real pino worker.
import { describe, expect, it } from 'vitest';
import { getLokiStats } from '../src/index.js';
import { flushLogger, lokiLogger, receiver } from './helpers.js';

const MS = Date.now() - 60_000;
const S = Math.floor(MS / 1000);

describe('times: core\'s one rule (read by magnitude; implausible -> now, counted)', () => {
  it('seconds, ms and µs numbers, digit strings, and out-of-range times in one batch: all stored', async () => {
    const r = await receiver();
    // timestamp: false, and the time as a field of the call: pino writes it where its own would be.
    const times: unknown[] = [S, Number(`${S}123`), String(S), `${S}456`, `${S}000789`, Number(`${S}000012`), '99999999999999999999999', 1e300, -5, `${S}.5`];
    const { logger, transport } = lokiLogger(r, {}, { timestamp: false, base: {} });
    times.forEach((time, n) => logger.info({ time }, `t${n}`));
    const before = BigInt(Date.now() - 5000) * 1_000_000n;
    await flushLogger(logger);
    const base = BigInt(S) * 1_000_000_000n;
    const got = Object.fromEntries(r.entries().map((e) => [(JSON.parse(e.line) as { msg: string }).msg, e.timestampNs]));
    expect(Object.keys(got)).toHaveLength(times.length);
    expect([got.t0, got.t1, got.t2, got.t3, got.t4, got.t5, got.t9]).toEqual([
      base,
      base + 123_000_000n,
      base,
      base + 456_000_000n,
      base + 789_000n,
      base + 12_000n,
      base + 500_000_000n,
    ]);
    for (const bad of [got.t6!, got.t7!, got.t8!]) expect(bad > before).toBe(true);
    expect((await getLokiStats(transport))?.invalidTimestamps).toBe(3);
  });
});

describe('a field named exactly label_', () => {
  it('message format: metadata named label_; json format: stays in the line', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { lineFormat: 'message' }, { base: {} });
    logger.info({ label_: 'bare', label_x: 'lab' }, 'm');
    await flushLogger(logger);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ level: 'info', x: 'lab' });
    expect(entry!.metadata).toEqual({ label_: 'bare' });

    const r2 = await receiver();
    const { logger: json } = lokiLogger(r2, {}, { base: {} });
    json.info({ label_: 'bare', label_x: 'lab' }, 'm');
    await flushLogger(json);
    const [line] = r2.entries();
    expect(line!.labels).toEqual({ level: 'info', x: 'lab' });
    expect(JSON.parse(line!.line)).toMatchObject({ label_: 'bare', msg: 'm' });
  });
});

describe('structured-metadata names', () => {
  it('reach Loki as [A-Za-z_][A-Za-z0-9_]*; an empty name is dropped and counted', async () => {
    const r = await receiver();
    const { logger, transport } = lokiLogger(r, { lineFormat: 'message' }, { base: {} });
    logger.info({ 'ü.z': 'a', 日本: 'b', 'trace.id': 'c', '1x': 'd', '': 'e' }, 'names');
    await flushLogger(logger);
    const [entry] = r.entries();
    expect(entry!.metadata).toEqual({ __z: 'a', __: 'b', trace_id: 'c', key_1x: 'd' });
    expect((await getLokiStats(transport))?.metadataNamesDropped).toBe(1);
  });
});
