import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { failingLokiSet, findTestSecrets, renderings, SECRET_CASES } from '@loki-sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createLokiClient, LokiOptionsError, type LokiClientOptions, type LokiError } from '../src/index.js';
import { LokiSDK } from '../src/sdk-entry.js';
import { resolveOptions } from '../src/options.js';

/**
 * Credentials are never printed: every object we hand the app (client, errors, resolved options,
 * the SDK, stats, flush results) under util.inspect at depths 0..8, console.error and
 * JSON.stringify, after a failing run (500 answers that echo our headers, a refused connection);
 * and everything a failing run with the default error path writes to stdout and stderr.
 */
const lokiSet = failingLokiSet();
afterEach(() => lokiSet.closeAll());
const lokis = lokiSet.open;

const base = {
  exitHook: false,
  retryMaxAttempts: 1,
  offlineBuffer: false,
  retryInitialDelayMillis: 1,
  requestTimeoutMillis: 2000,
} as const;

/** The LokiOptionsError these options meet, or undefined when they are accepted. */
function refusal(make: () => unknown): LokiOptionsError | undefined {
  try {
    make();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(LokiOptionsError);
    return error as LokiOptionsError;
  }
}

describe('secrets are never printed', () => {
  for (const { name, options: make, refusedByCore } of SECRET_CASES) {
    it(`with ${name}: client, errors, options, stats, SDK`, async () => {
      const outputs: Record<string, string> = {};
      const errors: LokiError[] = [];
      const { targets, requests } = await lokis();
      if (refusedByCore) {
        // Refused at construction, by the client and by the SDK: the error does not show it.
        const [, hostPort] = targets[0]!;
        const byClient = refusal(() => createLokiClient({ ...make(hostPort), ...base }));
        const bySdk = refusal(() => new LokiSDK().init({ ...make(hostPort), appName: 'secrets', exitHook: false }));
        expect(byClient?.message).toMatch(/^basicAuth must be/);
        expect(bySdk?.message).toMatch(/^basicAuth must be/);
        expect(
          findTestSecrets({
            ...renderings(byClient, 'client error'),
            ...renderings(bySdk, 'sdk error'),
            stack: String(byClient?.stack),
          }),
        ).toEqual([]);
        return;
      }
      for (const [where, hostPort] of targets) {
        const options = { ...make(hostPort), ...base, onError: (e: LokiError) => errors.push(e) } as LokiClientOptions;
        const client = createLokiClient(options);
        client.push({ message: 'hello' });
        const result = await client.flush({ timeoutMillis: 5000 });
        expect(result.ok).toBe(false);
        Object.assign(
          outputs,
          renderings(client, `${where} client`),
          renderings(result, `${where} flush`),
          renderings(client.stats(), `${where} stats`),
        );
        Object.assign(outputs, renderings(resolveOptions(options), `${where} resolved options`));
        await client.close();
        Object.assign(outputs, renderings(client, `${where} closed client`));
      }
      // The credentials were sent (and echoed back): the run did exercise them.
      expect(requests.length).toBeGreaterThan(0);
      // The proxy case went through the tunnel, with its credentials (the echo server is its own CONNECT proxy).
      if ('proxy' in make('127.0.0.1:1'))
        expect(requests.some((h) => h['proxy-authorization'] !== undefined)).toBe(true);
      // The cause is a copy of got's error with the fields that help, not got's error (it holds our headers).
      const refused = errors.find((e) => e.code === 'ERR_LOKI_UNAVAILABLE' && e.cause !== undefined);
      expect(refused?.cause).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1' });
      expect(refused!.cause).not.toHaveProperty('options');
      expect(refused!.cause).not.toHaveProperty('request');
      expect(errors.some((e) => e.status === 500)).toBe(true);
      errors.forEach((e, i) => {
        Object.assign(outputs, renderings(e, `error ${i} ${e.code}`));
        outputs[`error ${i} message`] = e.message;
        outputs[`error ${i} stack`] = String(e.stack);
        outputs[`error ${i} responseBody`] = String(e.responseBody);
      });

      const sdk = new LokiSDK().init({
        ...make(targets[1]![1]),
        appName: 'secrets',
        printToConsole: false,
        exitHook: false,
        onError: () => {},
      });
      Object.assign(outputs, renderings(sdk, 'sdk'));
      await sdk.close();

      expect(findTestSecrets(outputs)).toEqual([]);
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
      const { targets } = await lokis();
      for (const [, hostPort] of targets) {
        const client = createLokiClient({
          url: `http://urluser:pw-S3CRET-url@${hostPort}/loki/api/v1/push`,
          exitHook: false,
          retryMaxAttempts: 1,
          offlineBuffer: false,
          bearerToken: 'tok-S3CRET-bearer',
        });
        client.push({ message: 'hello' });
        await client.flush({ timeoutMillis: 5000 });
        await client.close();
      }
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.length).toBeGreaterThan(0);
    expect(findTestSecrets(Object.fromEntries(warnings.map((w, i) => [`warning ${i}`, w])))).toEqual([]);
  });

  const fixture = fileURLToPath(new URL('./fixtures/secrets-run.mjs', import.meta.url));
  function runFixture(options: object): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [fixture, JSON.stringify(options)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  for (const { name, options: make, refusedByCore } of SECRET_CASES) {
    it(`with ${name}: a failing run's stdout and stderr (default error path, SDK, exit drain)`, async () => {
      const { targets } = await lokis();
      for (const [where, hostPort] of targets) {
        const run = await runFixture(make(hostPort));
        expect(run.code).toBe(0);
        if (refusedByCore) expect(run.stdout).toContain('refused: ERR_LOKI_INVALID_OPTIONS');
        else {
          expect(run.stdout).toContain('flushed ok: false');
          expect(run.stderr).toMatch(/LokiWarning/);
          expect(run.stderr).toMatch(/ERR_LOKI_EXIT_DRAIN/);
        }
        expect(findTestSecrets({ [`${where} stdout`]: run.stdout, [`${where} stderr`]: run.stderr })).toEqual([]);
      }
    }, 30_000);
  }
});
