// Credentials are never printed: pino's transport stream, the logger, error events, stats, printErrors output.
import { failingLokiSet, findTestSecrets, SECRET_CASES } from '@loki-sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, fixture, run } from './helpers.js';

const lokiSet = failingLokiSet();
afterEach(() => lokiSet.closeAll());

describe('secrets are never printed', () => {
  for (const { name, options: make, refusedByCore } of SECRET_CASES) {
    it(`with ${name}: a failing run's stdout and stderr`, async () => {
      const lokis = await lokiSet.open();
      for (const [, hostPort] of lokis.targets) {
        const result = await run(fixture('secrets-run.mjs'), { args: [JSON.stringify(make(hostPort))] });
        expect(result.stdout).toMatch(/events: [1-9]/);
        // A 'user:pass' basicAuth is refused (core's type): reported, without the value.
        expect(result.stdout).toMatch(
          refusedByCore ? /ERR_LOKI_INVALID_OPTIONS.*basicAuth must be/ : /ERR_LOKI_(UNAVAILABLE|RETRIES_EXHAUSTED)/,
        );
        expect(findTestSecrets({ stdout: result.stdout, stderr: result.stderr })).toEqual([]);
      }
      if (!refusedByCore) expect(lokis.requests.length).toBeGreaterThan(0);
    }, 60_000);
  }

  it('the CLI does not echo a mistyped --headers value', async () => {
    for (const value of [
      'Authorization: Bearer tok-S3CRET-bearer',
      '{"Authorization": Bearer tok-S3CRET-bearer}',
      'X-A=1,Authorization: Bearer tok-S3CRET-bearer',
    ]) {
      const result = await run(cliPath, { args: ['--host', 'http://127.0.0.1:1', '--headers', value], input: '' });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--headers/);
      expect(findTestSecrets({ stdout: result.stdout, stderr: result.stderr })).toEqual([]);
    }
  });

  it('the CLI does not echo a credential in any refused value', async () => {
    for (const args of [
      ['--basic-auth', 'pw-S3CRET-basic'],
      ['--bearer-token', 'tok-S3CRET-bearer\r\n'],
      ['--headers', '{"Authorization":"Bearer hdr-S3CRET-header\\r\\n"}'],
      ['--url', 'ftp://urluser:pw-S3CRET-url@127.0.0.1:1/loki/api/v1/push'],
      ['--url', 'http://urluser:pw-S3CRET-url@[::1'],
      ['--basic-auth', 'alice:pw-S3CRET-basic', '--host', 'ftp://x'],
    ]) {
      const result = await run(cliPath, { args, input: '' });
      expect(result.code, args.join(' ')).toBe(2);
      expect(findTestSecrets({ stdout: result.stdout, stderr: result.stderr })).toEqual([]);
    }
  });
});
