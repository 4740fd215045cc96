// Exit behaviour, proven on real processes running the BUILT package (ESM import and CJS require).
import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LokiClientStats } from '@loki-sdk/core';
import type { LokiReceiver } from '@loki-sdk/testing';
import { receiver, runFixture, type ChildRun } from './helpers.js';

function timing(run: ChildRun): { code: number; sinceLastLogMillis: number } {
  const line = run.stderr.split('\n').find((l) => l.startsWith('timing '));
  if (line === undefined) throw new Error(`no timing line; stderr:\n${run.stderr}`);
  return JSON.parse(line.slice('timing '.length)) as { code: number; sinceLastLogMillis: number };
}

/** burst-exit.mjs's report: how long its exit listeners took (measured in the child), its final stats. */
function exitReport(run: ChildRun): { exitMillis: number; stats: LokiClientStats } {
  const out = run.stderr.split('\n');
  const value = (prefix: string): string => {
    const line = out.find((l) => l.startsWith(prefix));
    if (line === undefined) throw new Error(`no '${prefix}' line; stderr:\n${run.stderr.slice(0, 2000)}`);
    return line.slice(prefix.length);
  };
  return {
    exitMillis: Number(value('exited ')) - Number(value('exiting ')),
    stats: JSON.parse(value('stats ')) as LokiClientStats,
  };
}

/** Entries the receiver was sent, every copy counted (it stores an exact duplicate once, as Loki does). */
/**
 * Entries of the requests Loki accepted: equal to what it stored when nothing was sent twice. A request refused
 * with 429 (Loki's per-stream rate limit, 3 MB/s with a 15 MB burst: a fast 1 000 000-entry burst reaches it)
 * stores nothing and is retried; any other refusal fails the test.
 */
function received(r: LokiReceiver): number {
  const refused = r.requests.filter((q) => q.status >= 300);
  expect(refused.filter((q) => q.status !== 429 || q.entriesStored !== 0)).toEqual([]);
  return r.requests.filter((q) => q.status < 300).reduce((n, q) => n + q.entriesReceived, 0);
}

const lines = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `{"message":"${prefix} ${i}","i":${i}}`);

describe.each(['app.mjs', 'app.cjs'])('exit behaviour (%s)', (app) => {
  const entry = app.endsWith('.mjs') ? 'esm' : 'cjs';

  it('logs written right before process.exit() reach Loki, in order', async () => {
    const r = await receiver();
    const run = await runFixture(app, [r.url, 'exit', '50']);
    expect(run.code).toBe(0);
    expect(r.entries({ mode: 'exit', entry }).map((e) => e.line)).toEqual(lines('exit', 50));
    expect(run.stderr).not.toContain('warn ');
  });

  it('a script that ends on its own exits promptly, everything stored', async () => {
    const r = await receiver();
    const run = await runFixture(app, [r.url, 'natural', '50']);
    expect(run.code).toBe(0);
    expect(r.entries({ mode: 'natural', entry }).map((e) => e.line)).toEqual(lines('natural', 50));
    // The batch interval is 1000 ms: ending well before it proves no timer or socket held the process;
    // the time is one push round trip.
    expect(timing(run).sinceLastLogMillis).toBeLessThan(500);
  });

  it("logger.end(): 'finish' comes after Loki acknowledged", async () => {
    const r = await receiver();
    const run = await runFixture(app, [r.url, 'end', '20']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/finish after \d+ ms/);
    expect(r.entries({ mode: 'end', entry })).toHaveLength(20);
    // Delivered by close() inside _final, before the exit: the exit delivery had nothing left.
    expect(r.requests.every((q) => q.status === 204)).toBe(true);
  });

  it.each(['exit', 'natural'])('a dead Loki does not hold a %s beyond closeTimeoutMillis', async (mode) => {
    const r = await receiver();
    await r.stop();
    const run = await runFixture(app, [r.url, mode, '5', '1500']);
    expect(run.code).toBe(0);
    expect(timing(run).sinceLastLogMillis).toBeLessThan(1500 + 500);
    expect(run.elapsedMillis).toBeLessThan(1500 + 1500);
    expect(run.stderr).toContain('warn ERR_LOKI_EXIT_DRAIN');
  });
});

describe('exit behaviour, more ways to end (ESM)', () => {
  it('an uncaught exception logged by winston (handleExceptions) reaches Loki before exit(1)', async () => {
    const r = await receiver();
    const run = await runFixture('app.mjs', [r.url, 'uncaught', '3']);
    expect(run.code).toBe(1);
    const stored = r.entries({ mode: 'uncaught' });
    expect(stored.slice(0, 3).map((e) => e.line)).toEqual(lines('uncaught', 3));
    expect(stored).toHaveLength(4);
    const crash = JSON.parse(stored[3]!.line) as { message: string; exception: boolean; stack: string };
    expect(crash.exception).toBe(true);
    expect(crash.message).toContain('boom');
    expect(crash.stack).toContain('Error: boom');
    expect(stored[3]!.labels.level).toBe('error');
  });

  it('an app that handles SIGTERM with a flush delivers before it exits', async () => {
    const r = await receiver();
    const run = await runFixture('app.mjs', [r.url, 'sigterm', '7']);
    expect(run.code).toBe(0);
    expect(r.entries({ mode: 'sigterm' }).map((e) => e.line)).toEqual(lines('sigterm', 7));
  });

  it("the README's SIGTERM recipe with Loki down ends within the flush deadline + closeTimeoutMillis, the loss reported", async () => {
    const r = await receiver();
    await r.stop();
    const run = await runFixture('app.mjs', [r.url, 'sigterm', '7', '1000'], {
      FLUSH_TIMEOUT_MILLIS: '2000',
      NO_WARN_LISTENER: '1',
    });
    expect(run.code).toBe(0);
    // From the spawn: node and worker start-up, the 2 s flush, the 1 s exit delivery, 1.5 s of slack.
    expect(run.elapsedMillis).toBeLessThan(2000 + 1000 + 1500);
    expect(run.stderr).toMatch(/ERR_LOKI_EXIT_DRAIN.*at process exit, 7 entries could not be delivered/);
  });

  it('an app that stops its own timer ends right after, everything stored', async () => {
    const r = await receiver();
    const run = await runFixture('app.mjs', [r.url, 'timer', '10']);
    expect(run.code).toBe(0);
    const stored = r.entries({ mode: 'timer' }).map((e) => e.line);
    expect(stored.slice(-10)).toEqual(lines('timer', 10));
    expect(stored.filter((l) => l === '{"message":"tick"}').length).toBeGreaterThan(0);
    expect(timing(run).sinceLastLogMillis).toBeLessThan(500);
  });

  it('nobody listening to warn: a dead Loki at process.exit() is still reported on stderr (and stdout stays clean)', async () => {
    const r = await receiver();
    await r.stop();
    const run = await runFixture('app.mjs', [r.url, 'exit', '3', '1000'], { NO_WARN_LISTENER: '1' });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /\[ERR_LOKI_EXIT_DRAIN\] LokiWarning: at process exit, 3 entries could not be delivered/,
    );
  });

  it('a Loki that answers 503 at first still gets logs written before process.exit()', async () => {
    const r = await receiver();
    r.failNext(503, 503);
    const run = await runFixture('app.mjs', [r.url, 'exit', '5']);
    expect(run.code).toBe(0);
    expect(r.entries({ mode: 'exit' }).map((e) => e.line)).toEqual(lines('exit', 5));
  });
});

// The delivery worker at process.exit() after a burst larger than the deadline can deliver: the
// exit ends by closeTimeoutMillis (plus 1.5 s of slack for 2 shared cores), and every entry is
// either stored or counted and reported; none is dropped for the backlog while Loki is up.
describe('process.exit() after a big burst (delivery worker, default bounds)', () => {
  // Measured 1015-1206 ms for a 1000 ms deadline, with and without two busy cores.
  const EXIT_MARGIN_MILLIS = 600;
  const count = 300_000;

  it('Loki up: stored + reported as lost = logged, by the deadline, nothing sent twice', async () => {
    const r = await receiver();
    const run = await runFixture('burst-exit.mjs', [r.url, String(count), '1000']);
    expect(run.code).toBe(0);
    const { exitMillis, stats } = exitReport(run);
    expect(exitMillis).toBeLessThan(1000 + 1500);
    const stored = r.entries({ app: 'burst-exit' }).length;
    const lost = stats.droppedByReason.exit_failed;
    expect(stats.droppedByReason.buffer_full).toBe(0);
    expect(stats.entriesDropped).toBe(lost);
    // A request cut off at the deadline may be stored although counted lost: at most one batch per request in flight.
    expect(stored + lost).toBeGreaterThanOrEqual(count);
    expect(stored + lost).toBeLessThanOrEqual(count + 5000);
    expect(received(r)).toBe(stored);
    if (lost > 0) expect(run.stderr).toMatch(/warn ERR_LOKI_EXIT_DRAIN/);
  }, 60_000);

  // A 1 000 000-entry burst, nobody listening to 'warn'. Before, the worker took in
  // the whole burst before sending anything (Node hands a worker up to 1000 queued messages at once):
  // 0 stored and the deadline overrun. Now it sends while taking in; what it cannot deliver by the
  // deadline is counted and reported on stderr in one line; the backlog bound drops nothing.
  it('1 000 000 entries, nobody listening: stored + reported = logged, by the deadline, one stderr report', async () => {
    const r = await receiver();
    const million = 1_000_000;
    const run = await runFixture('burst-exit.mjs', [r.url, String(million), '1000', 'quiet']);
    expect(run.code).toBe(0);
    const { exitMillis, stats } = exitReport(run);
    // The main thread waits until the deadline plus 200 ms for the worker's count: a small margin, not seconds.
    expect(exitMillis).toBeLessThan(1000 + EXIT_MARGIN_MILLIS);
    const stored = r.entries({ app: 'burst-exit' }).length;
    const lost = stats.droppedByReason.exit_failed;
    expect(stats.droppedByReason.buffer_full).toBe(0);
    expect(stats.entriesDropped).toBe(lost);
    expect(stats.entriesSent + lost).toBe(million);
    expect(stats.entriesSent).toBeGreaterThan(0); // Loki is up: sending began while the app logged
    expect(stored + lost).toBeGreaterThanOrEqual(million);
    expect(stored + lost).toBeLessThanOrEqual(million + 5000);
    expect(received(r)).toBe(stored);
    const reports = run.stderr.split('\n').filter((l) => l.includes('ERR_LOKI_EXIT_DRAIN'));
    if (lost > 0) {
      expect(reports).toHaveLength(1);
      expect(reports[0]).toContain(`${lost} entries could not be delivered`);
      // What the user is told adds up with what Loki stored.
      const told = Number(/(\d+) entries could not be delivered/.exec(reports[0]!)![1]);
      expect(stored + told).toBeGreaterThanOrEqual(million);
      expect(stored + told).toBeLessThanOrEqual(million + 5000);
    } else expect(reports).toHaveLength(0);
  }, 60_000);

  it('1 000 000 entries with the cores busy (the worker runs at nice 10): the backlog bound drops nothing, stored + reported = logged, by the deadline', async () => {
    const r = await receiver();
    // Two busy processes for the two cores: the app's thread and the worker compete for what is left.
    const busy = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    onTestFinished(() => {
      for (const b of busy) b.kill();
    });
    const million = 1_000_000;
    const run = await runFixture('burst-exit.mjs', [r.url, String(million), '1000', 'quiet']);
    expect(run.code).toBe(0);
    const { exitMillis, stats } = exitReport(run);
    // The main thread waits until the deadline plus 200 ms for the worker's count: a small margin, not seconds.
    expect(exitMillis).toBeLessThan(1000 + EXIT_MARGIN_MILLIS);
    const stored = r.entries({ app: 'burst-exit' }).length;
    const lost = stats.droppedByReason.exit_failed;
    expect(stats.droppedByReason.buffer_full).toBe(0);
    expect(stats.entriesDropped).toBe(lost);
    expect(stats.entriesSent + lost).toBe(million);
    // Under load the worker may get no core before the deadline: counted and reported, that is all.
    expect(stored + lost).toBeGreaterThanOrEqual(million);
    expect(stored + lost).toBeLessThanOrEqual(million + 5000);
    expect(received(r)).toBe(stored);
    const reports = run.stderr.split('\n').filter((l) => l.includes('ERR_LOKI_EXIT_DRAIN'));
    if (lost > 0) {
      expect(reports).toHaveLength(1);
      expect(reports[0]).toContain(`${lost} entries could not be delivered`);
      // What the user is told adds up with what Loki stored.
      const told = Number(/(\d+) entries could not be delivered/.exec(reports[0]!)![1]);
      expect(stored + told).toBeGreaterThanOrEqual(million);
      expect(stored + told).toBeLessThanOrEqual(million + 5000);
    } else expect(reports).toHaveLength(0);
  }, 60_000);

  it('Loki down: every entry counted and reported, by the deadline', async () => {
    const r = await receiver();
    await r.stop();
    const run = await runFixture('burst-exit.mjs', [r.url, String(count), '1000', 'quiet']);
    expect(run.code).toBe(0);
    const { exitMillis, stats } = exitReport(run);
    expect(exitMillis).toBeLessThan(1000 + 1500);
    expect(stats.droppedByReason.exit_failed).toBe(count);
    expect(stats.entriesDropped).toBe(count);
    expect(run.stderr).toMatch(
      new RegExp(`ERR_LOKI_EXIT_DRAIN.*at process exit, ${count} entries could not be delivered`),
    );
  }, 60_000);
});
