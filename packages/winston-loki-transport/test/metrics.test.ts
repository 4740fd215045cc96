// registerLokiMetrics over the winston transport: the delivery worker's figures on this thread's registry.
import { Registry } from 'prom-client';
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { LokiTransport, registerLokiMetrics } from '../src/index.js';
import { fromStats, requestCounts, scraped, withoutHistogram } from '../../core/test/metric-figures.js';
import { closeAfter, receiver } from './helpers.js';

describe.each([
  ['in its delivery worker', true],
  ['with worker: false', false],
])('registerLokiMetrics (winston, %s)', (_, worker) => {
  it('after a 500 then success, a 400, a full buffer and a demoted label, the registry shows what stats() says', async () => {
    const r = await receiver();
    const transport = closeAfter(
      new LokiTransport({
        host: r.url,
        worker,
        exitHook: false,
        labels: { app: 'm' },
        bufferMaxEntries: 5,
        labelMaxValues: 2,
        retryInitialDelayMillis: 10,
        retryMaxDelayMillis: 50,
        onError: () => {},
      }),
    );
    const registry = new Registry();
    const registered = registerLokiMetrics(transport, { registry });
    expect(registered.ok).toBe(true);
    const logger = winston.createLogger({ transports: [transport] });

    r.failNext(500);
    for (let i = 0; i < 3; i++) logger.info(`retried ${i}`, { label_user: `u${i}` });
    await transport.flush();
    r.failNext(400);
    logger.info('refused');
    await transport.flush();
    for (let i = 0; i < 8; i++) logger.info(`burst ${i}`);
    await transport.flush();

    const stats = transport.stats();
    expect(stats.droppedByReason.buffer_full).toBe(3);
    expect(stats.retries).toBe(1);
    expect(stats.demotedLabels).toEqual({ user: 3 });
    // The worker relays each request's end in a message of its own: wait for the last one to arrive.
    await expect.poll(async () => sum(requestCounts((await registry.getMetricsAsJSON()) as never))).toBe(4);
    const json = await registry.getMetricsAsJSON();
    expect(withoutHistogram(scraped(json as never))).toEqual(fromStats(transport.stats()));
    expect(requestCounts(json as never)).toEqual({ '500': 1, '400': 1, '204': 2 });
    expect(stats.requests).toBe(4);
  });
});

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
