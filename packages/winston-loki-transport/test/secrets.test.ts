// Credentials are never printed: the transport, the logger, errors, stats and warnings, after a failing run.
import { closedPort, createHostileServer, findSecrets, renderings, type HostileServer } from '@loki-sdk/testing';
import winston from 'winston';
import { afterEach, describe, expect, it } from 'vitest';
import { LokiTransport, type LokiError, type LokiTransportOptions } from '../src/index.js';

const SECRETS = ['pw-S3CRET-basic', 'tok-S3CRET-bearer', 'pw-S3CRET-url', 'hdr-S3CRET-header', 'pp-S3CRET-tls', 'KEY-S3CRET-pem'];
const PAIRS = ['alice:pw-S3CRET-basic', 'urluser:pw-S3CRET-url'];

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function echoingServer(): Promise<string> {
  const server = await createHostileServer({ kind: 'echo-headers' });
  servers.push(server);
  return server.url.slice('http://'.length);
}

const cases: Array<[string, (hostPort: string) => LokiTransportOptions]> = [
  ['basic auth (object)', (h) => ({ host: `http://${h}`, basicAuth: { username: 'alice', password: 'pw-S3CRET-basic' } })],
  ['basic auth (string)', (h) => ({ host: `http://${h}`, basicAuth: 'alice:pw-S3CRET-basic' })],
  ['bearer token', (h) => ({ host: `http://${h}`, bearerToken: 'tok-S3CRET-bearer' })],
  ['user:pass@ in the URL', (h) => ({ url: `http://urluser:pw-S3CRET-url@${h}/loki/api/v1/push` })],
  ['an Authorization header', (h) => ({ host: `http://${h}`, headers: { Authorization: 'Bearer hdr-S3CRET-header' } })],
  ['TLS key and passphrase', (h) => ({ host: `http://${h}`, bearerToken: 'tok-S3CRET-bearer', tls: { key: 'KEY-S3CRET-pem', passphrase: 'pp-S3CRET-tls' } })],
];

describe('secrets are never printed', () => {
  for (const worker of [true, false]) {
    for (const [name, make] of cases) {
      it(`${worker ? 'worker' : 'in-thread'}, with ${name}: transport, logger, errors, stats, warnings`, async () => {
        const outputs: Record<string, string> = {};
        const errors: LokiError[] = [];
        const warnings: unknown[] = [];
        const base = { exitHook: false, retryMaxAttempts: 1, offlineBuffer: false, retryInitialDelayMillis: 1, requestTimeoutMillis: 2000, worker } as const;
        for (const [where, hostPort] of [['500', await echoingServer()], ['refused', await closedPort()]] as const) {
          const transport = new LokiTransport({ ...make(hostPort), ...base, onError: (e) => errors.push(e) });
          const logger = winston.createLogger({ transports: [transport] });
          logger.on('warn', (w: unknown) => warnings.push(w));
          logger.info('hello', { user: 'bob' });
          const result = await transport.flush({ timeoutMillis: 5000 });
          expect(result.ok).toBe(false);
          Object.assign(outputs, renderings(transport, `${where} transport`), renderings(logger, `${where} logger`));
          Object.assign(outputs, renderings(result, `${where} flush`), renderings(transport.stats(), `${where} stats`));
          await transport.close();
          Object.assign(outputs, renderings(transport, `${where} closed transport`));
          logger.close();
        }
        expect(errors.some((e) => e.status === 500)).toBe(true);
        expect(errors.some((e) => e.code === 'ERR_LOKI_UNAVAILABLE' && e.status === undefined)).toBe(true);
        [...errors, ...warnings].forEach((e, i) => {
          Object.assign(outputs, renderings(e, `error ${i}`));
          outputs[`error ${i} stack`] = String((e as Error).stack);
        });
        expect(findSecrets(outputs, SECRETS, PAIRS)).toEqual([]);
        expect(outputs['500 transport inspect depth 2']).toMatch(/LokiTransport/);
      });
    }
  }
});
