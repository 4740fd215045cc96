// Credentials are never printed: the transport, the logger, errors, stats and warnings after a
// failing run, and everything a failing run with nobody listening writes to stdout and stderr.
import { spawn } from 'node:child_process';
import { failingLokiSet, findTestSecrets, renderings, SECRET_CASES } from '@loki-sdk/testing';
import winston from 'winston';
import { afterEach, describe, expect, it } from 'vitest';
import { LokiTransport, type LokiError, type LokiTransportOptions } from '../src/index.js';
import { fixture } from './helpers.js';

const lokiSet = failingLokiSet();
afterEach(() => lokiSet.closeAll());
const lokis = lokiSet.open;

function runFixture(
  options: object,
  worker: boolean,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [fixture('secrets-run.mjs'), JSON.stringify(options), worker ? 'worker' : 'in-thread'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('secrets are never printed', () => {
  for (const worker of [true, false]) {
    const mode = worker ? 'worker' : 'in-thread';
    // winston accepts basicAuth as 'user:pass' (winston-loki's spelling): every case is a run here.
    for (const { name, options: make } of SECRET_CASES) {
      it(`${mode}, with ${name}: transport, logger, errors, stats, warnings`, async () => {
        const outputs: Record<string, string> = {};
        const errors: LokiError[] = [];
        const warnings: unknown[] = [];
        const base = {
          exitHook: false,
          retryMaxAttempts: 1,
          offlineBuffer: false,
          retryInitialDelayMillis: 1,
          requestTimeoutMillis: 2000,
          worker,
        } as const;
        const { targets, requests } = await lokis();
        for (const [where, hostPort] of targets) {
          const transport = new LokiTransport({
            ...(make(hostPort) as LokiTransportOptions),
            ...base,
            onError: (e) => errors.push(e),
          });
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
        expect(requests.length).toBeGreaterThan(0);
        expect(errors.some((e) => e.status === 500)).toBe(true);
        expect(errors.some((e) => e.code === 'ERR_LOKI_UNAVAILABLE' && e.status === undefined)).toBe(true);
        [...errors, ...warnings].forEach((e, i) => {
          Object.assign(outputs, renderings(e, `error ${i}`));
          outputs[`error ${i} stack`] = String((e as Error).stack);
        });
        expect(findTestSecrets(outputs)).toEqual([]);
        expect(outputs['500 transport inspect depth 2']).toMatch(/LokiTransport/);
      });

      it(`${mode}, with ${name}: a failing run's stdout and stderr (nobody listening, exit delivery)`, async () => {
        const { targets } = await lokis();
        for (const [where, hostPort] of targets) {
          const run = await runFixture(make(hostPort), worker);
          expect(run.code).toBe(0);
          expect(run.stdout).toContain('flushed ok: false');
          expect(run.stderr).toMatch(/LokiWarning/);
          expect(findTestSecrets({ [`${where} stdout`]: run.stdout, [`${where} stderr`]: run.stderr })).toEqual([]);
        }
      }, 30_000);
    }
  }
});
