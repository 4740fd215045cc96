import { closedPort, createHostileServer, findSecrets, renderings, type HostileServer } from '@loki-sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createLokiClient, LokiSDK, type LokiClientOptions, type LokiError } from '../src/index.js';
import { resolveOptions } from '../src/options.js';

/**
 * Credentials are never printed: every object we hand the app (client, errors, resolved options,
 * the SDK, stats, flush results) under util.inspect at depths 0..8, console.error and
 * JSON.stringify, after a failing run (500 answers that echo our headers, a refused connection).
 */
const SECRETS = ['pw-S3CRET-basic', 'tok-S3CRET-bearer', 'pw-S3CRET-url', 'hdr-S3CRET-header', 'pp-S3CRET-tls', 'KEY-S3CRET-pem'];
const PAIRS = ['alice:pw-S3CRET-basic', 'urluser:pw-S3CRET-url'];

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server that answers 500 and echoes our request headers in the body, as a hostile proxy could. */
async function echoingServer(): Promise<string> {
  const server = await createHostileServer({ kind: 'echo-headers' });
  servers.push(server);
  return server.url.slice('http://'.length);
}

const cases: Array<[string, (hostPort: string) => LokiClientOptions]> = [
  ['basic auth', (h) => ({ host: `http://${h}`, basicAuth: { username: 'alice', password: 'pw-S3CRET-basic' } })],
  ['bearer token', (h) => ({ host: `http://${h}`, bearerToken: 'tok-S3CRET-bearer' })],
  ['user:pass@ in the URL', (h) => ({ url: `http://urluser:pw-S3CRET-url@${h}/loki/api/v1/push` })],
  ['an Authorization header', (h) => ({ host: `http://${h}`, headers: { Authorization: 'Bearer hdr-S3CRET-header', 'X-Other': 'ok' } })],
  ['TLS key and passphrase', (h) => ({ host: `http://${h}`, bearerToken: 'tok-S3CRET-bearer', tls: { key: 'KEY-S3CRET-pem', passphrase: 'pp-S3CRET-tls' } })],
];

describe('secrets are never printed', () => {
  for (const [name, make] of cases) {
    it(`with ${name}: client, errors, options, stats, warnings`, async () => {
      const outputs: Record<string, string> = {};
      const errors: LokiError[] = [];
      const base = { exitHook: false, retryMaxAttempts: 1, offlineBuffer: false, retryInitialDelayMillis: 1, requestTimeoutMillis: 2000 } as const;

      for (const [where, hostPort] of [['500', await echoingServer()], ['refused', await closedPort()]] as const) {
        const options = { ...make(hostPort), ...base, onError: (e: LokiError) => errors.push(e) };
        const client = createLokiClient(options);
        client.push({ message: 'hello' });
        const result = await client.flush({ timeoutMillis: 5000 });
        expect(result.ok).toBe(false);
        Object.assign(outputs, renderings(client, `${where} client`), renderings(result, `${where} flush`), renderings(client.stats(), `${where} stats`));
        Object.assign(outputs, renderings(resolveOptions(options), `${where} resolved options`));
        await client.close();
        Object.assign(outputs, renderings(client, `${where} closed client`));
      }
      expect(errors.some((e) => e.code === 'ERR_LOKI_UNAVAILABLE' && e.cause !== undefined)).toBe(true);
      expect(errors.some((e) => e.status === 500)).toBe(true);
      errors.forEach((e, i) => {
        Object.assign(outputs, renderings(e, `error ${i} ${e.code}`));
        outputs[`error ${i} message`] = e.message;
        outputs[`error ${i} stack`] = String(e.stack);
        outputs[`error ${i} responseBody`] = String(e.responseBody);
      });

      const sdk = new LokiSDK().init({ ...make(await closedPort()), appName: 'secrets', printToConsole: false, exitHook: false, onError: () => {} });
      Object.assign(outputs, renderings(sdk, 'sdk'));
      await sdk.close();

      expect(findSecrets(outputs, SECRETS, PAIRS)).toEqual([]);
      // The redacted forms still say what they are.
      expect(outputs['500 client inspect depth 2']).toMatch(/LokiClient/);
    });
  }

  it('the default error path (process warnings) shows no credential', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(renderings(w, 'warning')['warning inspect depth 8']!);
    };
    process.on('warning', onWarning);
    try {
      const client = createLokiClient({ url: `http://urluser:pw-S3CRET-url@${await closedPort()}/loki/api/v1/push`, exitHook: false, retryMaxAttempts: 1, offlineBuffer: false, bearerToken: 'tok-S3CRET-bearer' });
      client.push({ message: 'hello' });
      await client.flush({ timeoutMillis: 5000 });
      await client.close();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(findSecrets(Object.fromEntries(warnings.map((w, i) => [`warning ${i}`, w])), SECRETS, PAIRS)).toEqual([]);
  });
});
