// The core cardinality guard through the real pino worker: 10 000 user ids, all stored, streams bounded.
import { describe, expect, it } from 'vitest';
import { flushLogger, lokiLogger, receiver } from './helpers.js';

describe('cardinality guard (pino)', () => {
  it('10 000 distinct label_user_id values are all stored, streams under the cap, reported once', async () => {
    const r = await receiver();
    const { logger, errors } = lokiLogger(r, { labels: { app: 'shop' } });
    for (let i = 0; i < 10_000; i++) logger.info({ label_user_id: i }, `m${i}`);
    await flushLogger(logger);
    await expect.poll(() => r.entries().length, { timeout: 20_000 }).toBe(10_000);
    expect(r.streams().length).toBeLessThanOrEqual(101);
    for (const e of r.entries()) expect(e.labels.app).toBe('shop');
    const last = r.entries().find((e) => e.line.includes('"m9999"'))!;
    expect(last.labels.user_id).toBeUndefined();
    expect(last.metadata.user_id).toBe('9999');
    await expect.poll(() => errors.filter((e) => e.code === 'ERR_LOKI_CARDINALITY').length).toBe(1);
  });
});
