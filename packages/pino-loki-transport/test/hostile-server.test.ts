// Hostile or broken servers, through the real pino worker: a huge answer body is never read whole;
// redirects are not followed.
import { hostileServers, ONE_ATTEMPT } from '@loki-sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { flushLoki } from '../src/index.js';
import { lokiLogger, receiver } from './helpers.js';

const servers = hostileServers();
afterEach(() => servers.closeAll());
const hostile = servers.open;
const MiB = 1024 * 1024;
const once = { ...ONE_ATTEMPT, printErrors: false } as const;

describe('hostile servers', () => {
  it('a 500 answer with a 512 MiB body: a few KiB read, memory bounded', async () => {
    const server = await hostile({ kind: 'huge-body', status: 500, bytes: 512 * MiB });
    const { logger, transport, errors } = lokiLogger(await receiver(), { host: server.url, ...once });
    const rssBefore = process.memoryUsage().rss;
    logger.info('hello');
    const result = await flushLoki(transport, { timeoutMillis: 20_000 });
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(result).toMatchObject({ ok: false, dropped: 1 });
    expect(server.bodyBytesWritten).toBeLessThan(32 * MiB);
    expect(rssGrowth).toBeLessThan(64 * MiB);
    expect(errors.find((e) => e.status === 500)?.responseBody).toMatch(/^x{1,1024}$/);
  }, 30_000);

  it('a redirect to a working Loki is not followed', async () => {
    const target = await receiver();
    const redirect = await hostile({ kind: 'redirect', status: 307, location: `${target.url}/loki/api/v1/push` });
    const { logger, transport, errors } = lokiLogger(target, {
      host: redirect.url,
      ...once,
      bearerToken: 'tok-redirect',
    });
    logger.info('stay here');
    expect(await flushLoki(transport, { timeoutMillis: 5000 })).toMatchObject({ ok: false, dropped: 1 });
    expect(redirect.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
    expect(errors.map((e) => e.status)).toContain(307);
  });
});
