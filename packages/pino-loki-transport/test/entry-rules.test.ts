// Core's shared rules (time, label_ fields, metadata names) as a pino user meets them: through the real pino worker.
import { LABEL_FIELD_CASE, METADATA_NAME_CASE, storedTimes, timeRuleCases } from '@loki-sdk/testing';
import { describe, expect, it } from 'vitest';
import { getLokiStats } from '../src/index.js';
import { flushLogger, lokiLogger, receiver } from './helpers.js';

const S = Math.floor((Date.now() - 60_000) / 1000);

describe("times: core's one rule (read by magnitude; implausible -> now, counted)", () => {
  it('seconds, ms, µs and ns as numbers and digit strings, and out-of-range times in one batch: all stored', async () => {
    const r = await receiver();
    const cases = timeRuleCases(S);
    // timestamp: false, and the time as a field of the call: pino writes it where its own would be.
    const { logger, transport } = lokiLogger(r, {}, { timestamp: false, base: {} });
    const before = BigInt(Date.now()) * 1_000_000n;
    cases.values.forEach((time, n) => logger.info({ time }, `t${n}`));
    await flushLogger(logger);
    const got = Object.fromEntries(
      r.entries().map((e) => [(JSON.parse(e.line) as { msg: string }).msg, e.timestampNs]),
    );
    expect(
      storedTimes(
        cases.values.map((_, n) => got[`t${n}`]),
        before,
      ),
    ).toEqual(cases.expected);
    expect((await getLokiStats(transport))?.invalidTimestamps).toBe(cases.invalidTimestamps);
  });
});

describe('a field named exactly label_', () => {
  it('message format: metadata named label_; json format: stays in the line', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { lineFormat: 'message' }, { base: {} });
    logger.info({ ...LABEL_FIELD_CASE.fields }, 'm');
    await flushLogger(logger);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ level: 'info', ...LABEL_FIELD_CASE.labels });
    expect(entry!.metadata).toEqual(LABEL_FIELD_CASE.metadata);

    const r2 = await receiver();
    const { logger: json } = lokiLogger(r2, {}, { base: {} });
    json.info({ ...LABEL_FIELD_CASE.fields }, 'm');
    await flushLogger(json);
    const [line] = r2.entries();
    expect(line!.labels).toEqual({ level: 'info', ...LABEL_FIELD_CASE.labels });
    expect(JSON.parse(line!.line)).toMatchObject({ ...LABEL_FIELD_CASE.metadata, msg: 'm' });
  });
});

describe('structured-metadata names', () => {
  it('reach Loki as [A-Za-z_][A-Za-z0-9_]*; an empty name is dropped and counted', async () => {
    const r = await receiver();
    const { logger, transport } = lokiLogger(r, { lineFormat: 'message' }, { base: {} });
    logger.info({ ...METADATA_NAME_CASE.fields }, 'names');
    await flushLogger(logger);
    const [entry] = r.entries();
    expect(entry!.metadata).toEqual(METADATA_NAME_CASE.metadata);
    expect((await getLokiStats(transport))?.metadataNamesDropped).toBe(METADATA_NAME_CASE.metadataNamesDropped);
  });
});
