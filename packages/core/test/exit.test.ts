import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LokiReceiver } from '@loki-sdk/testing';
import type { LokiClientStats } from '../src/index.js';
import { receiver } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/log-then.mjs', import.meta.url));
const deadlineFixture = fileURLToPath(new URL('./fixtures/exit-deadline.mjs', import.meta.url));

interface Run {
  code: number | null;
  elapsedMillis: number;
  stderr: string;
}

/**
 * What exit-deadline.mjs printed: how long its exit listeners took (from process.exit() to the last
 * listener, measured in the child: the receiver shares this test's event loop and would delay the
 * parent's view), and the client's final stats.
 */
function exitReport(run: Run): { exitMillis: number; stats: LokiClientStats } {
  const lines = run.stderr.split('\n');
  const value = (prefix: string): string => {
    const line = lines.find((l) => l.startsWith(prefix));
    if (line === undefined) throw new Error(`no '${prefix}' line; stderr:\n${run.stderr.slice(0, 2000)}`);
    return line.slice(prefix.length);
  };
  return {
    exitMillis: Number(value('exited ')) - Number(value('exiting ')),
    stats: JSON.parse(value('stats ')) as LokiClientStats,
  };
}

/** Entries the receiver was sent, every copy counted (it stores an exact duplicate once, as Loki does). */
function received(r: LokiReceiver): number {
  return r.requests.reduce((n, q) => n + q.entriesReceived, 0);
}

function run(
  args: string[],
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
  script = fixture,
): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    expect(r.entries('{mode="uncaught"}').map((e) => e.line)).toEqual([
      'uncaught 0',
      'uncaught 1',
      'uncaught 2',
      'fatal: boom',
    ]);
  });

  it('delivers when the app handles SIGTERM with a flush', async () => {
    const r = await receiver();
    const result = await run([r.url, 'sigterm', '4'], (text, child) => {
      if (text.includes('ready')) child.kill('SIGTERM');
    });
    expect(result.code).toBe(0);
    expect(r.entries('{mode="sigterm"}')).toHaveLength(4);
  });

  it("the README's SIGTERM recipe with Loki down ends within the flush deadline + closeTimeoutMillis, the loss reported", async () => {
    const r = await receiver();
    await r.stop();
    const result = await run([r.url, 'sigterm', '4', '1000'], (text, child) => {
      if (text.includes('ready')) child.kill('SIGTERM');
    });
    expect(result.code).toBe(0);
    // The handler's flush waits 2 s, the exit delivery 1 s more; 1.5 s of slack (start-up included).
    expect(result.elapsedMillis).toBeLessThan(2000 + 1000 + 1500);
    expect(result.stderr).toMatch(/ERR_LOKI_EXIT_DRAIN at process exit, 4 entries could not be delivered/);
  });

  it('one entry lost at exit is reported as "1 entry", not "1 entries"', async () => {
    const r = await receiver();
    await r.stop();
    const result = await run([r.url, 'exit', '1', '500']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/ERR_LOKI_EXIT_DRAIN at process exit, 1 entry could not be delivered/);
  });

  it.each(['exit', 'natural'])('a dead Loki does not hold a %s beyond the close deadline', async (mode) => {
    const r = await receiver();
    await r.stop();
    const result = await run([r.url, mode, '5', '1500']);
    expect(result.code).toBe(0);
    expect(result.elapsedMillis).toBeLessThan(1500 + 1500);
  });

  // A Loki that takes the request and never answers: the request on the wire must not hold a script
  // that ended on its own for the request timeout (10 s) before the exit deadline even starts.
  it('a hung Loki does not hold a natural end beyond the close deadline; the loss is reported', async () => {
    const r = await receiver();
    r.failNext(...Array.from({ length: 20 }, () => ({ hangMillis: 30_000 })));
    const result = await run([r.url, 'natural-in-flight', '5', '1000']);
    expect(result.code).toBe(0);
    expect(r.requests.length).toBeGreaterThan(0); // a request was on the wire when the app ended
    // The app's own 1.2 s, the 1 s deadline, 1.5 s of slack.
    expect(result.elapsedMillis).toBeLessThan(1200 + 1000 + 1500);
    expect(result.stderr).toMatch(/ERR_LOKI_EXIT_DRAIN at process exit, 5 entries could not be delivered/);
  });

  it('a Loki that comes back during the exit window still gets the logs', async () => {
    const r = await receiver();
    r.failNext(503, 503);
    const result = await run([r.url, 'exit', '3']);
    expect(result.code).toBe(0);
    expect(r.entries('{mode="exit"}')).toHaveLength(3);
  });

  // The deadline is a deadline: the exit ends within closeTimeoutMillis plus process start/teardown
  // slack (1.5 s here: 2 shared cores). 2 000 000 entries take longer to encode than the deadline.
  it('a backlog bigger than the deadline allows, Loki down: exit ends by the deadline, all reported', async () => {
    const r = await receiver();
    await r.stop();
    const result = await run([r.url, '2000000', '1000'], undefined, deadlineFixture);
    const { exitMillis, stats } = exitReport(result);
    expect(result.code).toBe(0);
    expect(exitMillis).toBeLessThan(1000 + 1500);
    expect(stats.droppedByReason.exit_failed).toBe(2_000_000);
    expect(result.stderr).toMatch(/error ERR_LOKI_EXIT_DRAIN at process exit, 2000000 entries/);
  }, 30_000);

  it('a backlog bigger than the deadline allows, Loki up: exit ends by the deadline; stored + reported = pushed', async () => {
    const r = await receiver();
    const result = await run([r.url, '2000000', '1000'], undefined, deadlineFixture);
    const { exitMillis, stats } = exitReport(result);
    expect(result.code).toBe(0);
    expect(exitMillis).toBeLessThan(1000 + 1500);
    const stored = r.entries('{app="exit-deadline"}').length;
    expect(stored).toBeGreaterThan(0);
    expect(stats.entriesSent + stats.droppedByReason.exit_failed).toBe(2_000_000);
    // A request cut off at the deadline may have been stored without its answer: counted lost, not sent.
    expect(stored).toBeGreaterThanOrEqual(stats.entriesSent);
    expect(stored - stats.entriesSent).toBeLessThanOrEqual(5000);
  }, 30_000);

  // 1 000 000 pending at process.exit(), through core and through the SDK
  // (its defaults: 1000-entry requests). Loki down: all counted exit_failed and reported in one line;
  // Loki up: stored + counted = pushed (a request cut off at the deadline may be stored too), none twice.
  it.each([
    ['core', 5000],
    ['sdk', 1000],
  ])(
    '%s, 1 000 000 pending, Loki down, closeTimeoutMillis %i: process.exit() ends by the deadline, all reported',
    async (api, deadline) => {
      const r = await receiver();
      await r.stop();
      const result = await run([r.url, '1000000', String(deadline), 'burst', String(api)], undefined, deadlineFixture);
      const { exitMillis, stats } = exitReport(result);
      expect(result.code).toBe(0);
      expect(exitMillis).toBeLessThan(Number(deadline) + 1500);
      expect(stats.droppedByReason.exit_failed).toBe(1_000_000);
      expect(stats.entriesDropped).toBe(1_000_000);
      expect(result.stderr.match(/ERR_LOKI_EXIT_DRAIN at process exit, 1000000 entries/g)).toHaveLength(1);
    },
    30_000,
  );

  it('sdk, 1 000 000 pending, Loki up, closeTimeoutMillis 1000: ends by the deadline; stored + reported = pushed, none twice', async () => {
    const r = await receiver();
    const result = await run([r.url, '1000000', '1000', 'burst', 'sdk'], undefined, deadlineFixture);
    const { exitMillis, stats } = exitReport(result);
    expect(result.code).toBe(0);
    expect(exitMillis).toBeLessThan(1000 + 1500);
    const stored = r.entries('{app="exit-deadline"}').length;
    expect(stats.entriesSent + stats.droppedByReason.exit_failed).toBe(1_000_000);
    expect(stats.entriesDropped).toBe(stats.droppedByReason.exit_failed);
    expect(stored).toBeGreaterThanOrEqual(stats.entriesSent);
    expect(stored - stats.entriesSent).toBeLessThanOrEqual(1000); // one SDK request cut off at the deadline
    expect(received(r)).toBe(stored);
  }, 30_000);

  // The same at a natural end: the beforeExit flush kept sending past the deadline while Loki
  // answered (the SDK: 2.9 s for 1 s), because our sockets held the process.
  it('sdk, 1 000 000 pending, Loki up, natural end, closeTimeoutMillis 1000: ends by the deadline; stored + reported = pushed', async () => {
    const r = await receiver();
    const result = await run([r.url, '1000000', '1000', 'natural', 'sdk'], undefined, deadlineFixture);
    const { exitMillis, stats } = exitReport(result);
    expect(result.code).toBe(0);
    expect(exitMillis).toBeLessThan(1000 + 1500);
    const stored = r.entries('{app="exit-deadline"}').length;
    expect(stats.entriesSent + stats.droppedByReason.exit_failed).toBe(1_000_000);
    expect(stored).toBeGreaterThanOrEqual(stats.entriesSent);
    expect(stored - stats.entriesSent).toBeLessThanOrEqual(1000);
    expect(received(r)).toBe(stored);
    if (stats.droppedByReason.exit_failed > 0)
      expect(result.stderr).toMatch(/ERR_LOKI_EXIT_DRAIN at process exit, \d+ entries/);
  }, 30_000);

  it('process.exit() while requests are in flight: what Loki acknowledged is not sent again', async () => {
    const r = await receiver();
    const result = await run([r.url, '300000', '5000', 'trickle'], undefined, deadlineFixture);
    const { stats } = exitReport(result);
    expect(result.code).toBe(0);
    expect(r.entries('{app="exit-deadline"}')).toHaveLength(300_000);
    // Only a request with no answer yet at process.exit() is sent again by the drain, and counted.
    expect(received(r) - 300_000).toBe(stats.entriesResent ?? 0);
    expect(stats.entriesSent).toBe(300_000);
  }, 30_000);
});
