import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLokiReceiver, type LokiReceiver } from '@loki-sdk/testing';
import { afterEach } from 'vitest';

/** Receivers and transports made by a test are closed after it, newest first (transports before their receiver). */
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

export async function receiver(options?: Parameters<typeof createLokiReceiver>[0]): Promise<LokiReceiver> {
  // Our assertions compare labels and metadata exactly: Loki's own additions (service_name,
  // detected_level; on by default, as in Loki) are the receiver's tests' business.
  const r = await createLokiReceiver({ discoverServiceName: false, discoverLogLevels: false, ...options });
  open.push(r);
  return r;
}

export function closeAfter<T extends { close(): unknown }>(thing: T): T {
  open.push(thing);
  return thing;
}

/** Waits until a condition holds, checking every few ms (bounded). For state that has no event to wait on. */
export async function until(condition: () => boolean, timeoutMillis = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMillis) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMillis: number;
}

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Runs a fixture with node, the way an app runs: no NODE_OPTIONS of the test runner. */
export function runFixture(name: string, args: string[], env: Record<string, string> = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.NODE_OPTIONS;
    const child = spawn(process.execPath, [fixture(name), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        elapsedMillis: Date.now() - started,
      }),
    );
  });
}

/** A deep copy that keeps symbol keys (triple-beam's LEVEL, MESSAGE, SPLAT), to prove nothing was mutated. */
export function snapshot(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (value instanceof Date) return new Date(value.getTime());
  const copy: Record<string | symbol, unknown> = {};
  seen.set(value, copy);
  // Own keys incl. non-enumerable ones (an Error's message and stack) and symbols.
  for (const key of Reflect.ownKeys(value)) {
    const desc = Object.getOwnPropertyDescriptor(value, key)!;
    copy[key] = { enumerable: desc.enumerable, value: snapshot(desc.value, seen) };
  }
  copy[Symbol.for('proto')] = Object.getPrototypeOf(value);
  return copy;
}
