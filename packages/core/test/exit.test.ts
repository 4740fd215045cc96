import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { receiver } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/log-then.mjs', import.meta.url));

interface Run {
  code: number | null;
  elapsedMillis: number;
  stderr: string;
}

function run(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => onStdout?.(d.toString(), child));
    child.on('exit', (code) => resolve({ code, elapsedMillis: Date.now() - started, stderr }));
  });
}

describe('delivery at process end (core on the main thread)', () => {
  it('delivers logs written right before process.exit()', async () => {
    const r = await receiver();
    const result = await run([r.url, 'exit', '20']);
    expect(result.code).toBe(0);
    expect(r.entries('{mode="exit"}').map((e) => e.line)).toEqual(Array.from({ length: 20 }, (_, i) => `exit ${i}`));
  });

  it('delivers at a natural end and exits promptly (no timer or socket keeps it alive)', async () => {
    const r = await receiver();
    const result = await run([r.url, 'natural', '20']);
    expect(result.code).toBe(0);
    expect(r.entries('{mode="natural"}')).toHaveLength(20);
    // The batch interval is 1 s: a prompt exit proves the timer did not hold the process.
    expect(result.elapsedMillis).toBeLessThan(900 + 1000);
  });

  it('delivers what an uncaughtException handler logs before exiting', async () => {
    const r = await receiver();
    const result = await run([r.url, 'uncaught', '3']);
    expect(result.code).toBe(1);
    expect(r.entries('{mode="uncaught"}').map((e) => e.line)).toEqual(['uncaught 0', 'uncaught 1', 'uncaught 2', 'fatal: boom']);
  });

  it('delivers when the app handles SIGTERM with a flush', async () => {
    const r = await receiver();
    const result = await run([r.url, 'sigterm', '4'], (text, child) => {
      if (text.includes('ready')) child.kill('SIGTERM');
    });
    expect(result.code).toBe(0);
    expect(r.entries('{mode="sigterm"}')).toHaveLength(4);
  });

  it.each(['exit', 'natural'])('a dead Loki does not hold a %s beyond the close deadline', async (mode) => {
    const r = await receiver();
    await r.stop();
    const result = await run([r.url, mode, '5', '1500']);
    expect(result.code).toBe(0);
    expect(result.elapsedMillis).toBeLessThan(1500 + 1500);
  });

  it('a Loki that comes back during the exit window still gets the logs', async () => {
    const r = await receiver();
    r.failNext(503, 503);
    const result = await run([r.url, 'exit', '3']);
    expect(result.code).toBe(0);
    expect(r.entries('{mode="exit"}')).toHaveLength(3);
  });
});
