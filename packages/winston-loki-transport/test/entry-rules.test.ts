// Core's shared rules (time, label_ fields, metadata names) as a winston user meets them: a real logger,
// with the delivery worker (default) and on the calling thread.
import { LABEL_FIELD_CASE, METADATA_NAME_CASE, storedTimes, timeRuleCases, type LokiReceiver } from '@loki-sdk/testing';
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
  it("times are read by core's rule: s, ms, µs and ns as numbers and digit strings by magnitude; implausible ones get now and are counted", async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { worker, labels: { app: 'w' } });
    const cases = timeRuleCases(S);
    // winston's own form beside them: a Date.
    const values = [...cases.values, new Date(S * 1000)];
    const before = BigInt(Date.now()) * 1_000_000n;
    values.forEach((timestamp, n) => logger.info(`t${n}`, { timestamp }));
    expect((await transport.flush()).ok).toBe(true);
    const got = Object.fromEntries(
      r.entries().map((e) => [(JSON.parse(e.line) as { message: string }).message, e.timestampNs]),
    );
    expect(
      storedTimes(
        values.map((_, n) => got[`t${n}`]),
        before,
      ),
    ).toEqual([...cases.expected, BigInt(S) * 1_000_000_000n]);
    expect(transport.stats().invalidTimestamps).toBe(cases.invalidTimestamps);
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
    logger.info('m', { ...LABEL_FIELD_CASE.fields });
    expect((await transport.flush()).ok).toBe(true);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ level: 'info', ...LABEL_FIELD_CASE.labels });
    expect(entry!.metadata).toEqual(LABEL_FIELD_CASE.metadata);
  });

  it('structured-metadata names reach Loki as [A-Za-z_][A-Za-z0-9_]*; an empty name is dropped and counted', async () => {
    const r = await receiver();
    const { logger, transport } = setup(r, { worker, lineFormat: 'metadata' });
    logger.info('names', { ...METADATA_NAME_CASE.fields });
    expect((await transport.flush()).ok).toBe(true);
    const [entry] = r.entries();
    expect(entry!.metadata).toEqual(METADATA_NAME_CASE.metadata);
    expect(transport.stats().metadataNamesDropped).toBe(METADATA_NAME_CASE.metadataNamesDropped);
  });
});
