// The delivery worker's file, as a bundler leaves it: beside the module, or missing. A missing file means
// delivery on the app's thread; the app is told once, never left to guess why its log calls got slower.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { receiver } from './helpers.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
// Inside the package, so that '@loki-sdk/core' and winston resolve as they do for the built module.
const scratch = mkdtempSync(join(pkg, '.worker-file-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** dist/index.js copied into `out/` (not named dist), with or without delivery-worker.js beside it. */
function layout(name: string, withWorker: boolean): string {
  const out = join(scratch, name, 'out');
  mkdirSync(out, { recursive: true });
  copyFileSync(join(pkg, 'dist', 'index.js'), join(out, 'index.js'));
  if (withWorker) copyFileSync(join(pkg, 'dist', 'delivery-worker.js'), join(out, 'delivery-worker.js'));
  return join(out, 'index.js');
}

const program = (moduleFile: string, url: string): string => `
import winston from 'winston';
const { LokiTransport } = await import(${JSON.stringify(moduleFile)});
const transport = new LokiTransport({ host: ${JSON.stringify(url)}, labels: { test: 'worker-file' } });
const codes = [];
transport.on('warn', (e) => codes.push(e.code + ': ' + e.message));
const logger = winston.createLogger({ transports: [transport] });
logger.info('hello');
const result = await transport.flush();
console.log(JSON.stringify({ codes, acknowledged: result.acknowledged, worker: JSON.parse(JSON.stringify(transport)).worker }));
`;

/**
 * Runs an ES module program given as text (written as a file beside the layout: a worker inherits the flags of `-e`).
 */
function spawnNode(source: string, dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, 'program.mjs');
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the delivery worker file', () => {
  it('found beside the module (a bundle folder not named dist): delivery in the worker, nothing to report', async () => {
    const r = await receiver();
    const moduleFile = layout('beside', true);
    const run = await spawnNode(program(moduleFile, r.url), dirname(dirname(moduleFile)));
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(out).toEqual({ codes: [], acknowledged: 1, worker: true });
    expect(r.entries({ test: 'worker-file' }).map((e) => e.line)).toEqual(['{"message":"hello"}']);
  });

  it('an app run with `node --input-type=module -e`: the worker does not inherit that flag and delivers', async () => {
    const r = await receiver();
    const moduleFile = layout('eval', true);
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const args = ['--input-type=module', '-e', program(moduleFile, r.url)];
      const child = spawn(process.execPath, args, {
        cwd: dirname(dirname(moduleFile)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ codes: [], acknowledged: 1, worker: true });
    expect(r.entries({ test: 'worker-file' }).map((e) => e.line)).toEqual(['{"message":"hello"}']);
  });

  it('missing: delivery on the app thread, and one ERR_LOKI_WORKER_UNAVAILABLE warning saying so', async () => {
    const r = await receiver();
    const moduleFile = layout('missing', false);
    const run = await spawnNode(program(moduleFile, r.url), dirname(dirname(moduleFile)));
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(out.acknowledged).toBe(1);
    expect(out.worker).toBe(false);
    expect(out.codes).toHaveLength(1);
    expect(out.codes[0]).toMatch(/^ERR_LOKI_WORKER_UNAVAILABLE: .*delivery-worker\.js.*this thread/);
    expect(r.entries({ test: 'worker-file' }).map((e) => e.line)).toEqual(['{"message":"hello"}']);
  });
});
