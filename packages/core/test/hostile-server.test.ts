// Hostile or broken servers: a huge answer body is never read whole; redirects are not followed.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { findSecrets, hostileServers, ONE_ATTEMPT } from '@loki-sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { LokiError } from '../src/errors.js';
import { client, receiver } from './helpers.js';

const servers = hostileServers();
afterEach(() => servers.closeAll());
const hostile = servers.open;

const MiB = 1024 * 1024;
const once = ONE_ATTEMPT;

describe("Loki's answer in an error", () => {
  it('a body of several lines (a 429 lists each entry it ignored) makes a one-line message; responseBody keeps it', async () => {
    const body =
      "entry with timestamp 1 ignored, reason: 'Per stream rate limit exceeded',\nentry with timestamp 2 ignored\n";
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400, { 'content-type': 'text/plain' }).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { client: c, errors } = client(await receiver(), { host: url, ...once });
      c.push({ message: 'hello' });
      expect((await c.flush()).ok).toBe(false);
      const error = errors.find((e) => e.status === 400)!;
      expect(error.message).not.toContain('\n');
      expect(error.message).toContain("reason: 'Per stream rate limit exceeded', entry with timestamp 2 ignored");
      expect(error.responseBody).toBe(body.trim());
    } finally {
      server.close();
    }
  });
});

describe('answer bodies are read up to a few KiB, the rest is never buffered', () => {
  it.each([500, 200, 400])(
    'a %i answer with a 512 MiB body: a few KiB read, memory bounded, the status decides',
    async (status) => {
      const server = await hostile({ kind: 'huge-body', status, bytes: 512 * MiB });
      const { client: c, errors } = client(await receiver(), { host: server.url, ...once });
      const rssBefore = process.memoryUsage().rss;
      c.push({ message: 'hello' });
      const result = await c.flush({ timeoutMillis: 20_000 });
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      expect(result.ok).toBe(status === 200);
      // The client hung up after a few KiB: the server could write no more than the socket buffers took.
      expect(server.bodyBytesWritten).toBeLessThan(32 * MiB);
      expect(rssGrowth).toBeLessThan(64 * MiB);
      if (status !== 200) {
        const error = errors.find((e) => e.status === status) as LokiError;
        expect(error.responseBody!.length).toBeLessThanOrEqual(1024);
        expect(error.responseBody).toMatch(/^x+$/);
      }
    },
    30_000,
  );

  it('the socket cut after such an answer does not stop the next push', async () => {
    const huge = await hostile({ kind: 'huge-body', status: 200, bytes: 64 * MiB });
    const { client: c } = client(await receiver(), { host: huge.url, ...once });
    for (let i = 0; i < 3; i++) {
      c.push({ message: `m${i}` });
      expect((await c.flush({ timeoutMillis: 10_000 })).ok).toBe(true);
    }
    expect(huge.requests).toHaveLength(3);
    expect(huge.bodyBytesWritten).toBeLessThan(3 * 32 * MiB);
  }, 30_000);
});

describe('a compressed answer is cut after a few KiB of what it expands to', () => {
  it('a 500 gzip bomb (512 KiB on the wire, 512 MiB expanded): memory bounded, the status decides', async () => {
    // 32 gzip members of 16 MiB of zeros each: a valid gzip stream that expands 1000-fold.
    const member = gzipSync(Buffer.alloc(16 * MiB, 0x78));
    let written = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
        let left = 32;
        const pump = (): void => {
          while (left-- > 0) {
            written++;
            if (!res.write(member)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (left = 0));
        pump();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { client: c, errors } = client(await receiver(), {
        host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        ...once,
      });
      const rssBefore = process.memoryUsage().rss;
      c.push({ message: 'hello' });
      expect(await c.flush({ timeoutMillis: 20_000 })).toMatchObject({ ok: false, dropped: 1 });
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MiB);
      expect(errors.find((e) => e.status === 500)?.responseBody).toMatch(/^x{1,1024}$/);
      expect(written).toBeGreaterThan(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);
});

describe('redirects are not followed (credentials never go to another host)', () => {
  it.each([301, 302, 307, 308])(
    'a %i to a working Loki: nothing reaches it, the batch fails with that status',
    async (status) => {
      const target = await receiver();
      const redirect = await hostile({ kind: 'redirect', status, location: `${target.url}/loki/api/v1/push` });
      const { client: c, errors } = client(target, {
        host: redirect.url,
        ...once,
        bearerToken: 'tok-redirect',
        basicAuth: undefined,
      });
      c.push({ message: 'stay here' });
      const result = await c.flush({ timeoutMillis: 5000 });
      expect(result).toMatchObject({ ok: false, dropped: 1 });
      expect(redirect.requests).toHaveLength(1);
      expect(redirect.requests[0]!.authorization).toBe('Bearer tok-redirect');
      expect(target.requests).toHaveLength(0);
      expect(errors.map((e) => e.status)).toContain(status);
    },
  );
});

describe("the exit drain's child reads answers the same way", () => {
  const fixture = fileURLToPath(new URL('./fixtures/exit-to-hostile.mjs', import.meta.url));
  function runAtExit(options: object, print = false): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [fixture, JSON.stringify(options), ...(print ? ['print'] : [])], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  it('a 400 answer with a 512 MiB body at process.exit(): a few KiB read, the child does not spend the deadline reading', async () => {
    const server = await hostile({ kind: 'huge-body', status: 400, bytes: 512 * MiB });
    const run = await runAtExit({ host: server.url, closeTimeoutMillis: 10_000 });
    expect(run.code).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(server.bodyBytesWritten).toBeLessThan(32 * MiB);
    expect(run.stderr).toMatch(/ERR_LOKI_EXIT_DRAIN.*HTTP 400: x+/);
    const took = Number(/exited (\d+)/.exec(run.stderr)![1]) - Number(/exiting (\d+)/.exec(run.stderr)![1]);
    expect(took).toBeLessThan(5000);
  }, 30_000);

  it('a proxy that echoes our headers at process.exit(): the error printed carries no credential', async () => {
    const server = await hostile({ kind: 'echo-headers', status: 400 });
    const secrets = ['tok-S3CRET-exit', 'pw-S3CRET-exit'];
    for (const options of [
      { host: server.url, bearerToken: secrets[0] },
      { url: `http://u:${secrets[1]}@${server.url.slice(7)}/loki/api/v1/push` },
    ]) {
      for (const print of [false, true]) {
        const run = await runAtExit(options, print);
        expect(run.stderr).toMatch(/ERR_LOKI_EXIT_DRAIN/);
        expect(findSecrets({ stderr: run.stderr }, secrets, [`u:${secrets[1]}`])).toEqual([]);
      }
    }
    expect(server.requests.length).toBeGreaterThanOrEqual(4);
  }, 30_000);
});
