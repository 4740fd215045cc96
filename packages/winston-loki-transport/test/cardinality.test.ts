// The core cardinality guard through the winston transport: 10 000 user ids, all stored, streams bounded.
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import type { LokiError } from '@loki-sdk/core';
import { LokiTransport } from '../src/index.js';
import { closeAfter, receiver } from './helpers.js';

describe('cardinality guard (winston)', () => {
  it('10 000 distinct label_user_id values are all stored, streams under the cap, reported once', async () => {
    const r = await receiver();
    const errors: LokiError[] = [];
    const transport = closeAfter(
      new LokiTransport({ host: r.url, exitHook: false, labels: { app: 'shop' }, onError: (e) => errors.push(e) }),
    );
    const logger = winston.createLogger({ transports: [transport] });
    for (let i = 0; i < 10_000; i++) logger.info(`m${i}`, { label_user_id: i });
    expect((await transport.flush()).ok).toBe(true);
    expect(r.entries()).toHaveLength(10_000);
    expect(r.streams().length).toBeLessThanOrEqual(101);
    for (const e of r.entries()) expect(e.labels.app).toBe('shop');
    const last = r.entries().find((e) => e.line.includes('m9999'))!;
    expect(last.labels.user_id).toBeUndefined();
    expect(last.metadata.user_id).toBe('9999');
    await expect.poll(() => errors.filter((e) => e.code === 'ERR_LOKI_CARDINALITY').length).toBe(1);
  });
});
