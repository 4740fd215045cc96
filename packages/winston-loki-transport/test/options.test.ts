// Options: checked at construction with a clear LokiOptionsError; unknown names reported once.
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { LokiError, LokiOptionsError, LokiTransport, type LokiTransportOptions } from '../src/index.js';
import { createConnectProxy } from '@loki-sdk/testing';
import { closeAfter, receiver, until } from './helpers.js';

const SECRET = 'w1nst0n-S3cret';

function refused(options: Record<string, unknown>): LokiOptionsError {
  try {
    closeAfter(new LokiTransport({ exitHook: false, ...options }));
  } catch (error) {
    expect(error).toBeInstanceOf(LokiOptionsError);
    return error as LokiOptionsError;
  }
  throw new Error('no LokiOptionsError');
}

describe('options: checked once, at construction, with a clear error', () => {
  it.each([
    ['basicAuth', 5, /^basicAuth must be \{ username, password \} or a "username:password" string, got a number$/],
    [
      'basicAuth',
      { user: 'me', pass: SECRET },
      /^basicAuth must be \{ username: string, password: string \}, got an object/,
    ],
    ['tenantId', { id: 'acme' }, /^tenantId must be a string, got an object$/],
    ['offlineBuffer', 'false', /^offlineBuffer must be true or false, got a string \("false"\)$/],
    ['labels', 'abc', /^labels must be an object of label names to values, got a string$/],
    [
      'headers',
      `Authorization: Bearer ${SECRET}`,
      /^headers must be an object of header names to string values, got a string$/,
    ],
    // Core's names of the line formats ('metadata', the earlier name of 'message', is accepted: mapping.test.ts).
    ['lineFormat', 'xml', /^lineFormat must be one of 'json', 'text', 'message', got a string \("xml"\)$/],
    ['worker', 'no', /^worker must be true or false, got a string \("no"\)$/],
    ['json', 'true', /^json must be true or false, got a string \("true"\)$/],
    ['interval', '5', /^interval must be a number >= 0, got a string \("5"\)$/],
    [
      'interval',
      1e7,
      /^interval must be at most 2147483\.647 \(s: a longer timer fires at once\), got a number \(10000000\)$/,
    ],
    [
      'timeout',
      1e10,
      /^timeout must be at most 2147483647 \(ms: a longer timer fires at once\), got a number \(10000000000\)$/,
    ],
    ['requestTimeoutMillis', 1e10, /^requestTimeoutMillis must be at most 2147483647 \(ms/],
    ['ignoredMeta', 'a', /^ignoredMeta must be an array of field names, got a string$/],
    ['format', 'json', /^format must be a winston format .*, got a string$/],
    ['bearerToken', `${SECRET}\r\n`, /^bearerToken must not contain CR, LF/],
    ['tenantId', 'acme\nX-Evil: 1', /^tenantId must not contain CR, LF/],
  ])('%s: a bad value is refused, naming it, its type and what is expected', (name, value, expected) => {
    for (const worker of [true, false]) {
      const error = refused({ [name]: value, ...(name === 'worker' ? {} : { worker }) });
      expect(error.message).toMatch(expected);
      expect(error.message).not.toContain(SECRET);
    }
  });
});

describe('options: unknown names are reported once at start-up', () => {
  it("hots, tenantID, httpAgent: one 'warn' with a did-you-mean; the known options still work", async () => {
    const r = await receiver();
    const transport = closeAfter(
      new LokiTransport({
        host: r.url,
        exitHook: false,
        hots: 'x',
        tenantID: 'acme',
        httpAgent: {},
        labels: { app: 'typo' },
      } as LokiTransportOptions),
    );
    const logger = winston.createLogger({ transports: [transport] });
    const warnings: LokiError[] = [];
    logger.on('warn', (e: LokiError) => warnings.push(e));
    logger.info('x');
    await transport.flush();
    expect(warnings.map((w) => [w.code, w.message])).toEqual([
      [
        'ERR_LOKI_INVALID_OPTIONS',
        "unknown options ignored: hots (did you mean host?), tenantID (did you mean tenantId?), httpAgent (an agent cannot be used here: for a proxy use proxy: 'http://host:port' or proxy: 'env')",
      ],
    ]);
    expect(r.entries({ app: 'typo' })).toHaveLength(1);
  });

  it.each([true, false])(
    "proxy (winston-loki's httpAgent use), worker %s: delivered through a CONNECT proxy",
    async (worker) => {
      const r = await receiver();
      const proxy = await createConnectProxy();
      try {
        const transport = closeAfter(
          new LokiTransport({
            host: r.url,
            exitHook: false,
            worker,
            proxy: proxy.url.replace('http://', 'http://pu:pp@'),
            labels: { app: 'proxied' },
          }),
        );
        const logger = winston.createLogger({ transports: [transport] });
        const warnings: LokiError[] = [];
        logger.on('warn', (e: LokiError) => warnings.push(e));
        logger.info('through the proxy');
        expect((await transport.flush()).ok).toBe(true);
        expect(warnings).toEqual([]);
        expect(r.entries({ app: 'proxied' }).map((e) => e.line)).toEqual(['{"message":"through the proxy"}']);
        expect(proxy.connects).toEqual([
          { target: new URL(r.url).host, auth: `Basic ${Buffer.from('pu:pp').toString('base64')}` },
        ]);
      } finally {
        await proxy.close();
      }
    },
  );

  it('nobody listening: a process warning (stderr), once', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const transport = closeAfter(
        new LokiTransport({
          exitHook: false,
          worker: false,
          metadataMode: 'line',
          bearertoken: SECRET,
        } as LokiTransportOptions),
      );
      winston.createLogger({ transports: [transport] });
      await until(() => warnings.length > 0);
      expect(warnings.map((w) => [w.name, w.message])).toEqual([
        [
          'LokiWarning',
          "unknown options ignored: metadataMode (set by this transport: use lineFormat), bearertoken (did you mean bearerToken?) (further ERR_LOKI_INVALID_OPTIONS warnings are suppressed; listen to 'warn' on the transport or logger to see all)",
        ],
      ]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
