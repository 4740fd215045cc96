// The direct SDK's option `worker` (issue 16): the same calls store the same entries whether core's delivery
// worker maps and sends them or this thread does. Needs the built package (`pnpm --filter @loki-sdk/core build`):
// the worker runs dist/sdk-delivery-worker.js.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LokiError } from '../src/errors.js';
import { LokiSDK, type SdkOptions } from '../src/sdk-entry.js';
import { receiver } from './helpers.js';

const sdks: LokiSDK[] = [];
afterEach(async () => {
  await Promise.all(sdks.splice(0).map((s) => s.close()));
});

function sdk(options: Omit<SdkOptions, 'appName'>): { sdk: LokiSDK; errors: LokiError[] } {
  const errors: LokiError[] = [];
  const s = new LokiSDK().init({
    appName: 'demo',
    printToConsole: false,
    exitHook: false,
    onError: (e) => errors.push(e),
    ...options,
  });
  sdks.push(s);
  return { sdk: s, errors };
}

// A time of their own, a minute ago (Loki takes it; a call's own time comes before the others').
const MINUTE_AGO = Date.now() - 60_000;
// One Error for both runs: its stack names the line that made it.
const DISK_FULL = new Error('disk full');

/** The same calls for both: labels, label fields, metadata of every kind, an Error, a time of its own. */
function logTheSame(s: LokiSDK): void {
  void s.info('User login successful', { label_user_id: '12345', label_action: 'login' });
  void s.error('Database connection failed', { label_component: 'database', label_error_code: 'DB001' });
  void s.info('System information', { labels: { service: 'user-service', version: '1.0.0' }, label_version: '2' });
  void s.info('Business operation', {
    operation_type: 'payment',
    amount: 100.5,
    ok: true,
    none: null,
    skip: undefined,
  });
  void s.critical('crashed', { err: DISK_FULL, nested: { a: [1, 2n] }, metadata: { request_id: 'r1' } });
  void s.debug({ not: 'a string' }, { label_empty: '', big: 12345678901234567890n });
  void s.warning('with its own time', { timestamp: new Date(MINUTE_AGO) });
  void s.info('ns time', { timestamp: BigInt(MINUTE_AGO) * 1_000_000n + 123_456n });
  void s.info('line given', { line: '{"a":1}', b: 2 });
  for (let i = 0; i < 20; i++) void s.info(`burst ${i}`, { i });
  void s.info('dup', { metadata: { dup: 'a', keep: 1 }, dup: 'b' });
  void s.fatal('last');
}

/** What Loki stores, in the order of the log calls (times taken on the main thread at each call). */
function stored(r: Awaited<ReturnType<typeof receiver>>) {
  const entries = r.entries();
  const byTime = [...entries].sort((a, b) =>
    a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0,
  );
  return {
    entries: entries.map(({ labels, line, metadata }) => ({ labels, line, metadata })),
    inTimeOrder: byTime.map((e) => e.line),
    ownTimes: entries.filter((e) => e.line.includes('time')).map((e) => e.timestamp),
  };
}

describe('direct SDK option worker', () => {
  it('stores what the in-thread SDK stores for the same calls: labels, lines, metadata, time order', async () => {
    const inThread = await receiver();
    const inWorker = await receiver();
    const a = sdk({ endpoints: { loki: inThread.pushUrl } });
    const b = sdk({ endpoints: { loki: inWorker.pushUrl }, worker: true });
    logTheSame(a.sdk);
    logTheSame(b.sdk);
    expect((await a.sdk.flush()).ok).toBe(true);
    const flushed = await b.sdk.flush();
    expect(flushed).toMatchObject({ ok: true, acknowledged: 31, dropped: 0 });
    expect(b.errors.map((e) => e.code)).toEqual(a.errors.map((e) => e.code));
    expect(b.errors.map((e) => e.code)).not.toContain('ERR_LOKI_WORKER_UNAVAILABLE');
    const expected = stored(inThread);
    expect(expected.entries).toHaveLength(31);
    expect(stored(inWorker)).toEqual(expected);
    expect(b.sdk.stats()).toMatchObject({ entriesPushed: 31, entriesSent: 31, entriesDropped: 0 });
  });

  it('metadataMode line: the same lines as in-thread', async () => {
    const inThread = await receiver();
    const inWorker = await receiver();
    const a = sdk({ endpoints: { loki: inThread.pushUrl }, metadataMode: 'line' });
    const b = sdk({ endpoints: { loki: inWorker.pushUrl }, metadataMode: 'line', worker: true });
    logTheSame(a.sdk);
    logTheSame(b.sdk);
    await a.sdk.flush();
    expect((await b.sdk.flush()).ok).toBe(true);
    expect(stored(inWorker)).toEqual(stored(inThread));
  });

  it('useSendBeacon false: each call is a promise of its delivery, through the worker', async () => {
    const r = await receiver();
    const { sdk: s, errors } = sdk({ endpoints: { loki: r.pushUrl }, useSendBeacon: false, worker: true });
    const result = await s.info('acknowledged');
    expect(result).toMatchObject({ ok: true, acknowledged: 1 });
    expect(r.entries().map((e) => e.line)).toEqual(['acknowledged']);
    expect(errors).toEqual([]);
  });

  it('a record that cannot be read is counted and reported as in-thread (invalid_record)', async () => {
    const r = await receiver();
    const { sdk: s, errors } = sdk({ endpoints: { loki: r.pushUrl }, worker: true });
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter says no');
      },
    });
    void s.info('before');
    void s.info('hostile', hostile);
    void s.info('after');
    const result = await s.flush();
    expect(result).toMatchObject({ acknowledged: 2, dropped: 1, droppedByReason: { invalid_record: 1 } });
    expect(r.entries().map((e) => e.line)).toEqual(['before', 'after']);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['ERR_LOKI_INVALID_RECORD', 'record could not be mapped: getter says no'],
    ]);
  });

  it('a child process that logs with worker: true then calls process.exit() delivers everything', async () => {
    const r = await receiver();
    const script = fileURLToPath(new URL('./fixtures/sdk-exit-worker.mjs', import.meta.url));
    let out = '';
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, [script, r.pushUrl], { stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    expect(out).toBe(''); // no error reported: in particular no fallback to in-thread delivery
    expect(r.entries().map((e) => e.line)).toEqual(['starting', 'about to exit']);
  });
});

const pkg = fileURLToPath(new URL('..', import.meta.url));
// Inside the package, so that the built modules' dependencies resolve as they do from dist.
const scratch = mkdtempSync(join(pkg, '.sdk-worker-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a program (ESM `.mjs` or CommonJS `.cjs`) written into the scratch folder; its stdout's last line as JSON. */
function runProgram(name: string, source: string): Promise<{ code: number | null; out: unknown; stderr: string }> {
  const file = join(scratch, name);
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: JSON.parse(stdout.trim().split('\n').pop() ?? 'null'), stderr }));
  });
}

/** Logs one entry with worker: true, prints the errors reported and what the flush acknowledged. */
const body = (url: string): string => `
const codes = [];
const sdk = new LokiSDK().init({
  appName: 'worker-file', endpoints: { loki: ${JSON.stringify(url)} }, printToConsole: false, worker: true,
  onError: (e) => codes.push(e.code + ': ' + e.message),
});
sdk.info('hello');
sdk.flush().then((result) => console.log(JSON.stringify({ codes, acknowledged: result.acknowledged })));
`;

describe('direct SDK option worker: the worker script of the built package', () => {
  it('CommonJS: require() of the sdk finds dist/sdk-delivery-worker.cjs and delivers through it', async () => {
    const r = await receiver();
    const dist = JSON.stringify(join(pkg, 'dist', 'sdk.cjs'));
    const run = await runProgram('cjs.cjs', `const { LokiSDK } = require(${dist});\n${body(r.pushUrl)}`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.out).toEqual({ codes: [], acknowledged: 1 });
    expect(r.entries().map((e) => e.line)).toEqual(['hello']);
  });

  it('missing (a bundle without it): delivery on this thread, and one ERR_LOKI_WORKER_UNAVAILABLE saying so', async () => {
    const r = await receiver();
    const copy = join(scratch, 'no-worker');
    cpSync(join(pkg, 'dist'), copy, { recursive: true, filter: (from) => !from.includes('sdk-delivery-worker') });
    const sdkFile = JSON.stringify(join(copy, 'sdk.js'));
    const run = await runProgram('missing.mjs', `const { LokiSDK } = await import(${sdkFile});\n${body(r.pushUrl)}`);
    expect(run.code, run.stderr).toBe(0);
    const out = run.out as { codes: string[]; acknowledged: number };
    expect(out.acknowledged).toBe(1);
    expect(out.codes).toHaveLength(1);
    expect(out.codes[0]).toMatch(/^ERR_LOKI_WORKER_UNAVAILABLE: .*sdk-delivery-worker\.js.*this thread/);
    expect(r.entries().map((e) => e.line)).toEqual(['hello']);
  });
});
