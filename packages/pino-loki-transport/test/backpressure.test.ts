import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { getLokiStats, type LokiErrorEvent } from '../src/index.js';
import { endTransport, flushLogger, lokiLogger, receiver } from './helpers.js';

describe('backpressure', () => {
  it('a burst larger than the buffer waits in pino instead of being dropped while Loki answers slowly', async () => {
    const r = await receiver();
    r.setResponseDelay(20);
    const { logger, transport, errors } = lokiLogger(r, {
      bufferMaxEntries: 2000,
      highWaterMarkEntries: 1000,
      batchMaxEntries: 500,
    });
    for (let i = 0; i < 20_000; i++) logger.info({ i }, 'x');
    await flushLogger(logger);
    expect(r.stats().entriesStored).toBe(20_000);
    const stats = await getLokiStats(transport);
    expect(stats).toMatchObject({ entriesDropped: 0, entriesSent: 20_000 });
    expect(stats!.backpressurePauses).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('an unreachable Loki does not stall the other targets of the worker: core drops the oldest, counted', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const file = join(mkdtempSync(join(tmpdir(), 'plt-')), 'out.log');
    const transport = pino.transport({
      targets: [
        { target: 'pino/file', options: { destination: file } },
        {
          target: '@loki-sdk/pino-loki-transport',
          options: {
            host: url,
            bufferMaxEntries: 2000,
            highWaterMarkEntries: 1000,
            closeTimeoutMillis: 200,
            flushTimeoutMillis: 300,
          },
        },
      ],
    });
    const errors: LokiErrorEvent[] = [];
    transport.on('lokiError', (e: LokiErrorEvent) => errors.push(e));
    const logger = pino(transport);
    for (let i = 0; i < 5000; i++) logger.info({ i }, 'x');
    await flushLogger(logger as unknown as pino.Logger<string>);
    // The flush answers by its 300 ms deadline, possibly before core has declared Loki offline and the
    // reading loop has taken in the rest: wait for that condition, not for the flush.
    let stats = await getLokiStats(transport);
    for (let tries = 0; stats!.linesReceived < 5000 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stats = await getLokiStats(transport);
    }
    await endTransport(transport);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(5000);
    expect(stats!.droppedByReason.buffer_full).toBe(3000);
    expect(stats!.linesReceived).toBe(5000);
    expect(errors.map((e) => e.code)).toEqual(expect.arrayContaining(['ERR_LOKI_UNAVAILABLE', 'ERR_LOKI_BUFFER_FULL']));
  });
});
