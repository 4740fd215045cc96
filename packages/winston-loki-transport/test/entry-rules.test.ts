// Core's shared rules (time, label_ fields, metadata names) as a winston user meets them: a real logger,
// with the delivery worker (default) and on the calling thread.
import type { LokiReceiver } from '@loki-sdk/testing';
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { LokiTransport, type LokiTransportOptions } from '../src/index.js';
import { closeAfter, receiver } from './helpers.js';

const MS = Date.now() - 60_000;
const S = Math.floor(MS / 1000);

function setup(r: LokiReceiver, options: LokiTransportOptions = {}) {
  const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false, ...options }));
  const logger = winston.createLogger({ transports: [transport] });
  return { logger, transport };
}

describe.each([true, false])('worker: %s', (worker) => {
  it('times are read by core\'s rule: seconds, ms and digit strings by magnitude; implausible ones get now and are counted', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { worker, labels: { app: 'w' } });
    const base = BigInt(S) * 1_000_000_000n;
    const times: unknown[] = [S, S * 1000 + 5, String(S), `${S}006`, `${S}000007`, `${S}.5`, new Date(S * 1000), 1e300, '99999999999999999999999', -5];
    times.forEach((timestamp, n) => logger.info(`t${n}`, { timestamp }));
    const before = BigInt(Date.now() - 5000) * 1_000_000n;
    expect((await transport.flush()).ok).toBe(true);
    const got = Object.fromEntries(r.entries().map((e) => [(JSON.parse(e.line) as { message: string }).message, e.timestampNs]));
    expect(Object.keys(got)).toHaveLength(times.length);
    expect([got.t0, got.t1, got.t2, got.t3, got.t4, got.t5, got.t6]).toEqual([
      base,
      base + 5_000_000n,
      base,
      base + 6_000_000n,
      base + 7_000n,
      base + 500_000_000n,
      base,
    ]);
    for (const bad of [got.t7!, got.t8!, got.t9!]) expect(bad > before).toBe(true);
    expect(transport.stats().invalidTimestamps).toBe(3);
  });

  it('2 000 good entries and one at 1e300 in the same batch: all 2 001 stored', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { worker, batchMaxEntries: 5000, batchIntervalMillis: 10_000 });
    for (let i = 0; i < 1000; i++) logger.info(`good ${i}`, { timestamp: MS + i });
    logger.info('bad', { timestamp: 1e300 });
    for (let i = 1000; i < 2000; i++) logger.info(`good ${i}`, { timestamp: MS + i });
    expect((await transport.flush()).ok).toBe(true);
    expect(r.entries()).toHaveLength(2001);
    expect(r.requests.every((q) => q.status === 204)).toBe(true);
  });

  it('a field named exactly label_ is metadata named label_ (lineFormat metadata), not a label', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { worker, lineFormat: 'metadata' });
    logger.info('m', { label_: 'bare', label_x: 'lab' });
    expect((await transport.flush()).ok).toBe(true);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ level: 'info', x: 'lab' });
    expect(entry!.metadata).toEqual({ label_: 'bare' });
  });

  it('structured-metadata names reach Loki as [A-Za-z_][A-Za-z0-9_]*; an empty name is dropped and counted', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { worker, lineFormat: 'metadata' });
    logger.info('names', { 'ü.z': 'a', 日本: 'b', 'trace.id': 'c', '1x': 'd', '': 'e' });
    expect((await transport.flush()).ok).toBe(true);
    const [entry] = r.entries();
    expect(entry!.metadata).toEqual({ __z: 'a', __: 'b', trace_id: 'c', key_1x: 'd' });
    expect(transport.stats().metadataNamesDropped).toBe(1);
  });
});
