// A burst of 200 000 logger.info calls in one synchronous loop: every entry is stored.
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { LokiTransport } from '../src/index.js';
import { closeAfter, receiver } from './helpers.js';

const N = 200_000;

describe('burst', () => {
  it(`stores exactly ${N} entries from ${N} logger.info calls`, { timeout: 120_000 }, async () => {
    const r = await receiver();
    const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false, labels: { test: 'burst' } }));
    const logger = winston.createLogger({ transports: [transport] });
    const warnings: unknown[] = [];
    transport.on('warn', (e) => warnings.push(e));

    for (let i = 0; i < N; i++) logger.info('burst entry', { i });

    const result = await transport.flush({ timeoutMillis: 100_000 });
    expect(result).toMatchObject({
      ok: true,
      acknowledged: N,
      dropped: 0,
      partiallyRejected: 0,
      pending: 0,
      timedOut: false,
    });
    expect(Object.values(result.droppedByReason).every((n) => n === 0)).toBe(true);
    expect(warnings).toEqual([]);
    const stored = r.entries({ test: 'burst' });
    expect(stored).toHaveLength(N);
    // In order, none lost or duplicated.
    for (let i = 0; i < N; i += 1) {
      if (stored[i]!.line !== `{"message":"burst entry","i":${i}}`) expect.fail(`entry ${i}: ${stored[i]!.line}`);
    }
    expect(transport.stats()).toMatchObject({ entriesPushed: N, entriesSent: N, entriesDropped: 0 });
  });
});
