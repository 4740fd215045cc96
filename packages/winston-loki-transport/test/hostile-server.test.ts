// Hostile or broken servers, worker and in-thread: a huge answer body is never read whole; redirects are not followed.
import { hostileServers, ONE_ATTEMPT } from '@loki-sdk/testing';
import winston from 'winston';
import { afterEach, describe, expect, it } from 'vitest';
import { LokiTransport, type LokiError } from '../src/index.js';
import { closeAfter, receiver } from './helpers.js';

const servers = hostileServers();
afterEach(() => servers.closeAll());
const hostile = servers.open;
const MiB = 1024 * 1024;
const once = { ...ONE_ATTEMPT, exitHook: false } as const;

describe('hostile servers', () => {
  for (const worker of [true, false]) {
    const where = worker ? 'worker' : 'in-thread';
    it(`${where}: a 500 answer with a 512 MiB body: a few KiB read, memory bounded`, async () => {
      const server = await hostile({ kind: 'huge-body', status: 500, bytes: 512 * MiB });
      const errors: LokiError[] = [];
      const transport = closeAfter(
        new LokiTransport({ host: server.url, ...once, worker, onError: (e) => errors.push(e) }),
      );
      const logger = winston.createLogger({ transports: [transport] });
      const rssBefore = process.memoryUsage().rss;
      logger.info('hello');
      const result = await transport.flush({ timeoutMillis: 20_000 });
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      expect(result).toMatchObject({ ok: false, dropped: 1 });
      expect(server.bodyBytesWritten).toBeLessThan(32 * MiB);
      expect(rssGrowth).toBeLessThan(64 * MiB);
      expect(errors.find((e) => e.status === 500)?.responseBody).toMatch(/^x{1,1024}$/);
    }, 30_000);

    it(`${where}: a redirect to a working Loki is not followed`, async () => {
      const target = await receiver();
      const redirect = await hostile({ kind: 'redirect', status: 308, location: `${target.url}/loki/api/v1/push` });
      const errors: LokiError[] = [];
      const transport = closeAfter(
        new LokiTransport({
          host: redirect.url,
          ...once,
          worker,
          bearerToken: 'tok-redirect',
          onError: (e) => errors.push(e),
        }),
      );
      winston.createLogger({ transports: [transport] }).info('stay here');
      expect(await transport.flush({ timeoutMillis: 5000 })).toMatchObject({ ok: false, dropped: 1 });
      expect(redirect.requests).toHaveLength(1);
      expect(target.requests).toHaveLength(0);
      expect(errors.map((e) => e.status)).toContain(308);
    });
  }
});
