import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { closedPort, createConnectProxy, type ConnectProxy, type LokiReceiver } from '@loki-sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { LokiOptionsError } from '../src/index.js';
import { LokiSDK } from '../src/sdk-entry.js';
import { resolveOptions } from '../src/options.js';
import { resolveProxyUrl } from '../src/proxy-url.js';
import { client, receiver, until } from './helpers.js';

/** Servers a test opens, closed after it. */
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function closable(server: http.Server): { close(): Promise<void> } {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function connectProxy(): Promise<ConnectProxy> {
  const proxy = await createConnectProxy();
  servers.push(proxy);
  return proxy;
}

const tlsDir = fileURLToPath(new URL('./fixtures/tls/', import.meta.url));
const cert = readFileSync(`${tlsDir}cert.pem`);

/** An https Loki: TLS ends here, each request is handed to the receiver. */
async function httpsFront(r: LokiReceiver): Promise<string> {
  const server = https.createServer({ cert, key: readFileSync(`${tlsDir}key.pem`) }, (req, res) => {
    const upstream = http.request(new URL(req.url!, r.url), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(closable(server));
  return `https://localhost:${(server.address() as net.AddressInfo).port}`;
}

const lines = (r: LokiReceiver): string[] => r.entries().map((e) => e.line);
const hostPort = (url: string): string => new URL(url).host;

const fixture = fileURLToPath(new URL('./fixtures/proxy-env-run.mjs', import.meta.url));
function runEnv(
  options: object,
  env: Record<string, string>,
  message: string,
  mode: 'flush' | 'exit' = 'flush',
): Promise<{ ok: boolean }> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|no|all)_proxy$/i.test(k)));
    const child = spawn(process.execPath, [fixture, JSON.stringify(options), message, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...clean, NODE_OPTIONS: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(stdout) as { ok: boolean }) : reject(new Error(`exit ${code}: ${stderr}`)),
    );
  });
}

describe('proxy', () => {
  it('an http Loki through a CONNECT proxy: Loki stored the entry, the proxy saw the CONNECT and its credentials', async () => {
    const r = await receiver();
    const proxy = await connectProxy();
    const withAuth = proxy.url.replace('http://', 'http://puser:p%40ss@');
    const { client: c, errors } = client(r, { proxy: withAuth });
    c.push({ message: 'through the tunnel', labels: { app: 'proxied' } });
    expect((await c.flush()).ok).toBe(true);
    expect(errors).toEqual([]);
    expect(r.entries()).toMatchObject([{ labels: { app: 'proxied' }, line: 'through the tunnel' }]);
    expect(proxy.connects).toEqual([
      { target: hostPort(r.url), auth: `Basic ${Buffer.from('puser:p@ss').toString('base64')}` },
    ]);
    // The tunnel is kept alive: a second batch opens no second CONNECT.
    c.push({ message: 'again' });
    expect((await c.flush()).ok).toBe(true);
    expect(lines(r)).toEqual(['through the tunnel', 'again']);
    expect(proxy.connects).toHaveLength(1);
  });

  it('an https Loki through a CONNECT proxy: TLS inside the tunnel, Loki stored the entry', async () => {
    const r = await receiver();
    const front = await httpsFront(r);
    const proxy = await connectProxy();
    const { client: c, errors } = client(r, { host: front, proxy: proxy.url, tls: { ca: cert } });
    c.push({ message: 'tls in a tunnel' });
    expect((await c.flush()).ok).toBe(true);
    expect(errors).toEqual([]);
    expect(lines(r)).toEqual(['tls in a tunnel']);
    expect(proxy.connects.map((x) => x.target)).toEqual([hostPort(front)]);
  });

  it("the proxy down: ERR_LOKI_UNAVAILABLE, retried, named by the proxy's host without its credentials; delivered once it is up", async () => {
    const r = await receiver();
    const down = await closedPort();
    const { client: c, errors } = client(r, {
      proxy: `http://puser:pw-S3CRET-px@${down}`,
      retryInitialDelayMillis: 1,
      retryMaxDelayMillis: 5,
      retryMaxAttempts: 3,
      offlineBuffer: false,
    });
    c.push({ message: 'never arrives' });
    const result = await c.flush();
    expect(result).toMatchObject({ ok: false, dropped: 1 });
    const unavailable = errors.filter((e) => e.code === 'ERR_LOKI_UNAVAILABLE');
    expect(unavailable.length).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.code)).toContain('ERR_LOKI_RETRIES_EXHAUSTED');
    expect(unavailable[0]!.message).toContain(`via proxy http://[redacted]@${down}`);
    expect(unavailable[0]!.cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect(c.stats().droppedByReason.retries_exhausted).toBe(1);
    for (const e of errors)
      expect(`${e.message} ${inspect(e, { depth: 8 })} ${JSON.stringify(e)}`).not.toMatch(/pw-S3CRET-px|puser/);
    expect(
      `${inspect(c, { depth: 8 })} ${JSON.stringify(c)} ${inspect(resolveOptions({ proxy: `http://puser:pw-S3CRET-px@${down}` }))}`,
    ).not.toMatch(/pw-S3CRET-px|puser/);
    expect(inspect(resolveOptions({ proxy: `http://puser:pw-S3CRET-px@${down}` }))).toContain(
      `proxy: 'http://[redacted]@${down}/'`,
    );
    expect(r.entries()).toEqual([]);
  });

  it('the SDK passes proxy through to its client', async () => {
    const r = await receiver();
    const proxy = await connectProxy();
    const sdk = new LokiSDK().init({
      appName: 'sdk-proxy',
      endpoints: { loki: `${r.url}/loki/api/v1/push` },
      proxy: proxy.url,
      printToConsole: false,
      exitHook: false,
      onError: () => {},
    });
    try {
      sdk.info('from the sdk');
      expect((await sdk.flush({ timeoutMillis: 5000 })).ok).toBe(true);
      expect(lines(r)).toHaveLength(1);
      expect(proxy.connects.map((x) => x.target)).toEqual([hostPort(r.url)]);
    } finally {
      await sdk.close();
    }
  });

  it('a proxy that only forwards (CONNECT answered 405): reported as the proxy refusing the tunnel, nothing stored', async () => {
    const r = await receiver();
    const forwarding = http.createServer((req, res) => {
      res.writeHead(502);
      res.end();
    });
    let refusedConnects = 0;
    forwarding.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => {
      refusedConnects++;
      socket.end('HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => forwarding.listen(0, '127.0.0.1', resolve));
    servers.push(closable(forwarding));
    const at = `127.0.0.1:${(forwarding.address() as net.AddressInfo).port}`;
    const { client: c, errors } = client(r, {
      proxy: `http://u:pw-S3CRET-px@${at}`,
      retryMaxAttempts: 2,
      retryInitialDelayMillis: 1,
      offlineBuffer: false,
    });
    c.push({ message: 'not delivered' });
    expect((await c.flush()).ok).toBe(false);
    expect(errors[0]!.code).toBe('ERR_LOKI_UNAVAILABLE');
    expect(errors[0]!.message).toContain(
      `the proxy answered CONNECT with HTTP 405 (via proxy http://[redacted]@${at}/)`,
    );
    expect(refusedConnects).toBe(2);
    expect(r.entries()).toEqual([]);
  });

  it('without the option no proxy is used, whatever the environment says', () => {
    const saved = { ...process.env };
    try {
      process.env.HTTP_PROXY = 'http://127.0.0.1:9';
      process.env.http_proxy = 'http://127.0.0.1:9';
      expect(resolveOptions({ host: 'http://127.0.0.1:3100' }).proxy).toBeUndefined();
    } finally {
      for (const k of ['HTTP_PROXY', 'http_proxy'])
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
    }
  });

  it("proxy: 'env' in a child process: HTTPS_PROXY tunnels an https Loki, https_proxy wins over it, NO_PROXY bypasses it", async () => {
    const r = await receiver();
    const front = await httpsFront(r);
    const proxy = await connectProxy();
    const other = await connectProxy();
    const options = { host: front, tls: { caFile: `${tlsDir}cert.pem` } };

    expect(await runEnv(options, { HTTPS_PROXY: proxy.url }, 'by HTTPS_PROXY')).toEqual({ ok: true });
    expect(proxy.connects.map((x) => x.target)).toEqual([hostPort(front)]);

    // Lower case first (curl's order); an empty variable is unset.
    expect(
      await runEnv(options, { HTTPS_PROXY: other.url, https_proxy: proxy.url, NO_PROXY: '' }, 'by https_proxy'),
    ).toEqual({ ok: true });
    expect(proxy.connects).toHaveLength(2);
    expect(other.connects).toHaveLength(0);

    // NO_PROXY lists Loki's host: direct.
    expect(await runEnv(options, { HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com, localhost' }, 'bypassed')).toEqual({
      ok: true,
    });
    expect(proxy.connects).toHaveLength(2);

    // HTTP_PROXY is for http Lokis: an https one ignores it.
    expect(await runEnv(options, { HTTP_PROXY: other.url }, 'not for https')).toEqual({ ok: true });
    expect(other.connects).toHaveLength(0);
    await until(() => r.entries().length === 4);
    expect(lines(r).sort()).toEqual(['by HTTPS_PROXY', 'by https_proxy', 'bypassed', 'not for https']);
  }, 30_000);

  it("proxy: 'env' in a child process: HTTP_PROXY tunnels an http Loki", async () => {
    const r = await receiver();
    const proxy = await connectProxy();
    expect(
      await runEnv({ host: r.url }, { HTTP_PROXY: proxy.url, HTTPS_PROXY: 'http://127.0.0.1:9' }, 'by HTTP_PROXY'),
    ).toEqual({ ok: true });
    expect(lines(r)).toEqual(['by HTTP_PROXY']);
    expect(proxy.connects.map((x) => x.target)).toEqual([hostPort(r.url)]);
  }, 30_000);
});

describe('proxy: the synchronous send at process.exit()', () => {
  it('an http Loki: the exit drain tunnels through the proxy too', async () => {
    const r = await receiver();
    const proxy = await connectProxy();
    expect(
      await runEnv({ host: r.url }, { HTTP_PROXY: proxy.url.replace('http://', 'http://pu:pp@') }, 'at exit', 'exit'),
    ).toEqual({ ok: true });
    await until(() => r.entries().length === 1);
    expect(lines(r)).toEqual(['at exit']);
    expect(proxy.connects).toEqual([
      { target: hostPort(r.url), auth: `Basic ${Buffer.from('pu:pp').toString('base64')}` },
    ]);
  }, 30_000);

  it('an https Loki: TLS inside the exit drain tunnel', async () => {
    const r = await receiver();
    const front = await httpsFront(r);
    const proxy = await connectProxy();
    expect(
      await runEnv(
        { host: front, tls: { caFile: `${tlsDir}cert.pem` } },
        { HTTPS_PROXY: proxy.url },
        'at exit over tls',
        'exit',
      ),
    ).toEqual({ ok: true });
    await until(() => r.entries().length === 1);
    expect(lines(r)).toEqual(['at exit over tls']);
    expect(proxy.connects.map((x) => x.target)).toEqual([hostPort(front)]);
  }, 30_000);
});

describe('proxy: the option and the environment rules', () => {
  const https443 = 'https://logs.example.com/loki/api/v1/push';
  it('bad values are a LokiOptionsError that does not show them', () => {
    for (const [value, pattern] of [
      [5, /^proxy must be an http:\/\/ proxy URL string or 'env', got a number$/],
      ['', /^proxy must be an http:\/\/ proxy URL string or 'env', got a string$/],
      ['not a url S3CRET', /^proxy: proxy is not a valid URL \(got a string of length 16\)/],
      ['socks5://u:S3CRET@h:1080', /^proxy: proxy must be an http:\/\/ URL .*got socks5:$/],
    ] as const) {
      let caught: unknown;
      try {
        resolveOptions({ proxy: value as string });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(LokiOptionsError);
      expect((caught as Error).message).toMatch(pattern);
      expect((caught as Error).message).not.toContain('S3CRET');
    }
    expect(() => resolveProxyUrl('env', https443, { HTTPS_PROXY: 'ftp://x' })).toThrow(
      /^HTTPS_PROXY: proxy must be an http:\/\/ URL/,
    );
  });

  it('NO_PROXY: hosts and their subdomains, leading dot or *., ports, *, IPv6; a proxy without a scheme is http', () => {
    const via = (target: string, noProxy: string | undefined): string | undefined =>
      resolveProxyUrl('env', target, {
        HTTPS_PROXY: 'proxy:3128',
        HTTP_PROXY: 'http://p:8080',
        ...(noProxy !== undefined ? { NO_PROXY: noProxy } : {}),
      });
    expect(via(https443, undefined)).toBe('http://proxy:3128/');
    expect(via('http://loki:3100/x', undefined)).toBe('http://p:8080/');
    expect(via(https443, 'example.com')).toBeUndefined();
    expect(via(https443, '.example.com')).toBeUndefined();
    expect(via(https443, '*.example.com')).toBeUndefined();
    expect(via(https443, 'logs.example.com:443')).toBeUndefined();
    expect(via(https443, 'logs.example.com:8443')).toBe('http://proxy:3128/');
    expect(via(https443, 'ample.com,other.org')).toBe('http://proxy:3128/');
    expect(via(https443, '*')).toBeUndefined();
    expect(via('http://[::1]:3100/', '::1')).toBeUndefined();
    expect(via('http://[::1]:3100/', '[::1]:3100')).toBeUndefined();
    expect(via('http://[::1]:3100/', '[::1]:9')).toBe('http://p:8080/');
    expect(resolveProxyUrl('env', https443, { https_proxy: '', HTTPS_PROXY: 'http://upper:1' })).toBe(
      'http://upper:1/',
    );
    expect(resolveProxyUrl('env', https443, {})).toBeUndefined();
    expect(resolveProxyUrl(undefined, https443, { HTTPS_PROXY: 'http://x:1' })).toBeUndefined();
    expect(
      resolveProxyUrl('env', https443, { HTTPS_PROXY: 'http://x:1', no_proxy: 'logs.example.com', NO_PROXY: '' }),
    ).toBeUndefined();
  });
});
