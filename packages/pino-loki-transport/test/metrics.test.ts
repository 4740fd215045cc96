// registerLokiMetrics over the pino transport: the figures of pino's worker on this thread's registry.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { flushLoki, getLokiStats, registerLokiMetrics } from '../src/index.js';
import { fromStats, requestCounts, scraped, withoutHistogram } from '../../core/test/metric-figures.js';
import { lokiLogger, receiver } from './helpers.js';

describe('registerLokiMetrics (pino)', () => {
  it('after a 500 then success, a 400, a full buffer and a demoted label, the registry shows what stats() says', async () => {
    const r = await receiver();
    const { logger, transport } = lokiLogger(r, {
      labels: { app: 'm' },
      bufferMaxEntries: 5,
      labelMaxValues: 2,
      retryInitialDelayMillis: 10,
      retryMaxDelayMillis: 50,
      printErrors: false,
    });
    // Registered before the worker is ready: the ask for its requests is repeated once it is.
    const registry = new Registry();
    const registered = registerLokiMetrics(transport, { registry });
    expect(registered.ok).toBe(true);

    r.failNext(500);
    for (let i = 0; i < 3; i++) logger.info({ label_user: `u${i}` }, `retried ${i}`);
    await flushLoki(transport);
    r.failNext(400);
    logger.info('refused');
    await flushLoki(transport);
    for (let i = 0; i < 8; i++) logger.info(`burst ${i}`);
    await flushLoki(transport);

    const stats = (await getLokiStats(transport))!;
    expect(stats.droppedByReason.buffer_full).toBe(3);
    expect(stats.retries).toBe(1);
    expect(stats.demotedLabels).toEqual({ user: 3 });
    // Each request's end comes as an event of its own: wait for the last one.
    await expect.poll(async () => sum(requestCounts((await registry.getMetricsAsJSON()) as never))).toBe(4);
    const json = await registry.getMetricsAsJSON();
    expect(withoutHistogram(scraped(json as never))).toEqual(fromStats((await getLokiStats(transport))!));
    expect(requestCounts(json as never)).toEqual({ '500': 1, '400': 1, '204': 2 });
    expect(stats.requests).toBe(4);
  });
});

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
