import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectProxy } from '@loki-sdk/testing';
import { fixture, flushLogger, lokiLogger, receiver } from './helpers.js';

// A self-signed certificate for 127.0.0.1, made for these tests only (openssl req -x509, 100 years).
const certFile = fixture('tls/test-only-cert.pem');
const keyFile = fixture('tls/test-only-key.pem');

let proxy: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  proxy = undefined;
});

/** An https front for the receiver, so TLS options are exercised end to end. */
async function httpsFront(targetPort: number): Promise<string> {
  proxy = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, path: req.url, method: req.method, headers: req.headers, agent: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

describe('options cross into the worker', () => {
  it('TLS: caFile (a path) and ca (a Buffer, a Uint8Array after the structured clone) both work', async () => {
    const r = await receiver();
    const url = await httpsFront(r.port);
    const byFile = lokiLogger(r, { host: url, tls: { caFile: certFile }, labels: { via: 'file' } });
    const byBuffer = lokiLogger(r, { host: url, tls: { ca: readFileSync(certFile) }, labels: { via: 'buffer' } });
    byFile.logger.info('over tls');
    byBuffer.logger.info('over tls');
    await Promise.all([flushLogger(byFile.logger), flushLogger(byBuffer.logger)]);
    expect(byFile.errors).toEqual([]);
    expect(byBuffer.errors).toEqual([]);
    expect(r.entries({ via: 'file' })).toHaveLength(1);
    expect(r.entries({ via: 'buffer' })).toHaveLength(1);
  });

  it('proxy: the real pino worker delivers through a CONNECT proxy (credentials in the proxy URL)', async () => {
    const r = await receiver();
    const connect = await createConnectProxy();
    try {
      const { logger, errors } = lokiLogger(r, {
        proxy: connect.url.replace('http://', 'http://pu:pp@'),
        labels: { via: 'proxy' },
      });
      logger.info('through the proxy');
      await flushLogger(logger);
      expect(errors).toEqual([]);
      expect(r.entries({ via: 'proxy' })).toHaveLength(1);
      expect(connect.connects).toEqual([
        { target: new URL(r.url).host, auth: `Basic ${Buffer.from('pu:pp').toString('base64')}` },
      ]);
    } finally {
      await connect.close();
    }
  });

  it('TLS: an unknown CA is an error event, not a crash', async () => {
    const r = await receiver();
    const url = await httpsFront(r.port);
    const { logger, errors } = lokiLogger(r, {
      host: url,
      retryMaxAttempts: 1,
      offlineBuffer: false,
      flushTimeoutMillis: 5000,
    });
    logger.info('x');
    await flushLogger(logger);
    expect(errors.map((e) => e.code)).toContain('ERR_LOKI_UNAVAILABLE');
    expect(r.entries()).toHaveLength(0);
  });

  it('a TLS file that cannot be read is reported with its path', async () => {
    const r = await receiver();
    const { logger, errors } = lokiLogger(r, { tls: { caFile: '/nonexistent/ca.pem' } });
    logger.info('x');
    await flushLogger(logger);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_LOKI_INVALID_OPTIONS' });
    expect(errors[0]!.message).toContain('/nonexistent/ca.pem');
  });

  it('batching, retries and encoding options reach core', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { encoding: 'json-gzip', batchMaxEntries: 10, headers: { 'x-team': 'core' } });
    for (let i = 0; i < 35; i++) logger.info({ i }, 'x');
    await flushLogger(logger);
    expect(r.entries()).toHaveLength(35);
    expect(r.requests.map((q) => q.entriesReceived)).toEqual([10, 10, 10, 5]);
    expect(r.requests[0]!.contentEncoding).toBe('gzip');
    expect(r.requests[0]!.headers['x-team']).toBe('core');
  });
});
