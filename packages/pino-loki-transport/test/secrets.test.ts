// Credentials are never printed: pino's transport stream, the logger, error events, stats, printErrors output.
import { closedPort, createHostileServer, findSecrets, type HostileServer } from '@loki-sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, fixture, run } from './helpers.js';

const SECRETS = ['pw-S3CRET-basic', 'tok-S3CRET-bearer', 'pw-S3CRET-url', 'hdr-S3CRET-header', 'pp-S3CRET-tls', 'KEY-S3CRET-pem'];
const PAIRS = ['alice:pw-S3CRET-basic', 'urluser:pw-S3CRET-url'];

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const cases: Array<[string, (hostPort: string) => Record<string, unknown>]> = [
  ['basic auth', (h) => ({ host: `http://${h}`, basicAuth: { username: 'alice', password: 'pw-S3CRET-basic' } })],
  ['bearer token', (h) => ({ host: `http://${h}`, bearerToken: 'tok-S3CRET-bearer' })],
  ['user:pass@ in the URL', (h) => ({ url: `http://urluser:pw-S3CRET-url@${h}/loki/api/v1/push` })],
  ['an Authorization header', (h) => ({ host: `http://${h}`, headers: { Authorization: 'Bearer hdr-S3CRET-header' } })],
  ['TLS key and passphrase', (h) => ({ host: `http://${h}`, bearerToken: 'tok-S3CRET-bearer', tls: { key: 'KEY-S3CRET-pem', passphrase: 'pp-S3CRET-tls' } })],
];

describe('secrets are never printed', () => {
  for (const [name, make] of cases) {
    it(`with ${name}: a failing run's stdout and stderr`, async () => {
      const echo = await createHostileServer({ kind: 'echo-headers' });
      servers.push(echo);
      for (const hostPort of [echo.url.slice('http://'.length), await closedPort()]) {
        const result = await run(fixture('secrets-run.mjs'), { args: [JSON.stringify(make(hostPort))] });
        expect(result.stdout).toMatch(/events: [1-9]/);
        expect(result.stdout).toMatch(/ERR_LOKI_(UNAVAILABLE|RETRIES_EXHAUSTED)/);
        expect(findSecrets({ stdout: result.stdout, stderr: result.stderr }, SECRETS, PAIRS)).toEqual([]);
      }
    }, 60_000);
  }

  it('the CLI does not echo a mistyped --headers value', async () => {
    for (const value of ['Authorization: Bearer tok-S3CRET-bearer', '{"Authorization": Bearer tok-S3CRET-bearer}', 'X-A=1,Authorization: Bearer tok-S3CRET-bearer']) {
      const result = await run(cliPath, { args: ['--host', 'http://127.0.0.1:1', '--headers', value], input: '' });
      expect(result.stderr).toMatch(/--headers/);
      expect(findSecrets({ stdout: result.stdout, stderr: result.stderr }, SECRETS)).toEqual([]);
    }
  });
});
