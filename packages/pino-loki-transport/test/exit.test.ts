import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, receiver, run } from './helpers.js';

// Each case runs a real app in a child process; what the receiver holds right after the child has
// exited is what reached Loki before the process ended (no waiting afterwards).
describe('logs at process end reach Loki', () => {
  it.each([
    ['process.exit() right after logging', 'exit', 0],
    ['a natural end', 'natural', 0],
    ['process.exit(3) from a timer', 'exit-later', 3],
  ])('%s', async (_name, scenario, exitCode) => {
    const r = await receiver();
    const result = await run(fixture('log-then.mjs'), { env: { LOKI_URL: r.url, SCENARIO: scenario, COUNT: '500' } });
    expect(result.code).toBe(exitCode);
    const expected = scenario === 'exit-later' ? 501 : 500;
    const entries = r.entries({ fixture: 'log-then' });
    expect(entries).toHaveLength(expected);
    expect(entries.map((e) => (JSON.parse(e.line) as { i: number }).i)).toEqual(
      Array.from({ length: expected }, (_, i) => i),
    );
    expect(result.stderr).toBe('');
  });

  it('an uncaughtException handler that logs then exits', async () => {
    const r = await receiver();
    const result = await run(fixture('log-then.mjs'), { env: { LOKI_URL: r.url, SCENARIO: 'uncaught', COUNT: '5' } });
    expect(result.code).toBe(1);
    const entries = r.entries({ fixture: 'log-then' });
    expect(entries).toHaveLength(6);
    const last = entries[5]!;
    expect(last.labels.level).toBe('fatal');
    expect(JSON.parse(last.line)).toMatchObject({ msg: 'uncaught', err: { message: 'boom' } });
  });

  it('an uncaught exception without a handler (node exits 1; what was logged before still arrives)', async () => {
    const r = await receiver();
    const result = await run(fixture('log-then.mjs'), { env: { LOKI_URL: r.url, SCENARIO: 'throw', COUNT: '5' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: unhandled');
    expect(r.entries({ fixture: 'log-then' })).toHaveLength(5);
  });

  it('an app that handles SIGTERM and exits from logger.flush(cb)', async () => {
    const r = await receiver();
    const result = await run(fixture('log-then.mjs'), { env: { LOKI_URL: r.url, SCENARIO: 'sigterm', COUNT: '40' } });
    expect(result.code).toBe(0);
    expect(r.entries({ fixture: 'log-then' })).toHaveLength(40);
  });

  it('kill -9 with the disk buffer on: the next process replays what Loki never got', async () => {
    const r = await receiver();
    await r.stop();
    const dir = mkdtempSync(join(tmpdir(), 'pino-loki-disk-'));
    const child = spawn(process.execPath, [fixture('log-then.mjs')], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        LOKI_URL: r.url,
        SCENARIO: 'disk-then-hang',
        COUNT: '50',
        DISK_DIR: dir,
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes('written') && resolve()),
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    await r.start();
    const replay = await run(fixture('log-then.mjs'), {
      env: { LOKI_URL: r.url, SCENARIO: 'sigterm', COUNT: '1', DISK_DIR: dir },
    });
    expect(replay.code).toBe(0);
    const lines = r.entries({ fixture: 'log-then' }).map((e) => JSON.parse(e.line) as { i: number; scenario: string });
    expect(lines.filter((l) => l.scenario === 'disk-then-hang').map((l) => l.i)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(lines.filter((l) => l.scenario === 'sigterm')).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toEqual([]);
  }, 30_000);

  it('with several targets (pino/file next to us) as well', async () => {
    const r = await receiver();
    const result = await run(fixture('log-then.mjs'), {
      env: { LOKI_URL: r.url, SCENARIO: 'exit', COUNT: '300', TARGETS: 'multi' },
    });
    expect(result.code).toBe(0);
    expect(r.entries({ fixture: 'log-then' })).toHaveLength(300);
    expect(result.stdout.trim().split('\n')).toHaveLength(300);
  });

  it('from a CommonJS caller (require-style resolution of the target)', async () => {
    const r = await receiver();
    const result = await run(fixture('log-then.cjs'), { env: { LOKI_URL: r.url, COUNT: '20' } });
    expect(result.code).toBe(0);
    expect(r.entries({ fixture: 'cjs' })).toHaveLength(20);
    expect(result.stderr).toBe('');
  });
});

describe('a dead Loki does not hold the exit beyond the close deadline', () => {
  it.each([
    ['process.exit()', 'exit'],
    ['a natural end', 'natural'],
    ['an uncaughtException handler', 'uncaught'],
  ])('%s', async (_name, scenario) => {
    const r = await receiver();
    const url = r.url;
    await r.close(); // nothing listens on that port any more
    const closeTimeoutMillis = 1000;
    const result = await run(fixture('log-then.mjs'), {
      env: { LOKI_URL: url, SCENARIO: scenario, COUNT: '50', CLOSE_TIMEOUT_MILLIS: String(closeTimeoutMillis) },
    });
    expect(result.code).toBe(scenario === 'uncaught' ? 1 : 0);
    // A bound, not a speed goal: the deadline plus node start-up and worker start.
    expect(result.elapsedMillis).toBeLessThan(closeTimeoutMillis + 4000);
  });
});

// A Loki that takes the connection and never answers, after a burst (40 000 lines) big enough for
// the transport's backpressure (20 000 entries waiting) to pause its reading. Before, the paused
// worker never read the rest, pino's exit handler waited 10 s for it and threw "_flushSync took too
// long (10s)", and nothing was reported. The deadline is a deadline.
describe('a hung Loki does not hold the exit beyond the close deadline', () => {
  it('40 000 lines then process.exit(): ends by closeTimeoutMillis + 1.5 s, the loss reported on stderr', async () => {
    const r = await receiver();
    r.failNext(...Array.from({ length: 50 }, () => ({ hangMillis: 60_000 })));
    const closeTimeoutMillis = 1000;
    const result = await run(fixture('log-then.mjs'), {
      env: {
        LOKI_URL: r.url,
        SCENARIO: 'exit',
        COUNT: '40000',
        CLOSE_TIMEOUT_MILLIS: String(closeTimeoutMillis),
        TIMES: '1',
      },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/took too long/);
    const at = (prefix: string): number =>
      Number(
        result.stderr
          .split('\n')
          .find((l) => l.startsWith(prefix))
          ?.slice(prefix.length),
      );
    const exitMillis = at('exited ') - at('exiting ');
    expect(exitMillis, result.stderr).toBeLessThan(closeTimeoutMillis + 1500);
    expect(r.entries({ fixture: 'log-then' })).toHaveLength(0);
    // The worker's report reaches stderr by default, and the app's lokiError listener too.
    expect(result.stderr).toMatch(/ERR_LOKI_(SHUTDOWN_TIMEOUT|EXIT_DRAIN).* 40000 entries/);
  }, 30_000);
});

// pino's exit pumps every line still queued in the main thread through the worker (thread-stream's
// flushSync) before the stream ends. The worker used to map each line as it read it, so the close deadline
// only started once the last line was mapped: on main before the fix, 1 000 000 lines, closeTimeoutMillis
// 1000, Loki down took 3.0 s from process.exit() to the process end (7.2 s for 5000). Now the worker only
// queues raw text while reading, maps in batches, and gives up (counted) what is unmapped at the deadline.
describe('a big burst does not hold the exit beyond the close deadline', () => {
  it('1 000 000 lines then process.exit(), Loki down: ends by closeTimeoutMillis + 1.5 s, loss reported', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const closeTimeoutMillis = 1000;
    const result = await run(fixture('log-then.mjs'), {
      env: {
        LOKI_URL: url,
        SCENARIO: 'exit',
        COUNT: '1000000',
        CLOSE_TIMEOUT_MILLIS: String(closeTimeoutMillis),
        TIMES: '1',
      },
    });
    expect(result.code).toBe(0);
    const at = (prefix: string): number =>
      Number(
        result.stderr
          .split('\n')
          .find((l) => l.startsWith(prefix))
          ?.slice(prefix.length),
      );
    expect(result.stderr).toMatch(/ERR_LOKI_SHUTDOWN_TIMEOUT.* entries not delivered/);
    expect(at('exited ') - at('exiting '), result.stderr).toBeLessThan(closeTimeoutMillis + 1500);
  }, 60_000);
});
