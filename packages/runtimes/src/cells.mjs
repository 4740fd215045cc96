// What a case's cell says: `yes` when the receiver stored exactly what the app logged (with the right
// labels, times and details), else what was lost and how the app was told; FAIL for a broken run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from '@loki-sdk/testing';
import { CASE_TIMEOUT_MILLIS, runFixture } from './fixture-run.mjs';

/** Exit status the app asks for in each mode (see fixtures/common.mjs). */
const EXIT_CODE = { flush: 0, exit: 0, natural: 0, uncaught: 1, throw: 1, reject: 1 };

/** A run's entries (its `run` label, or a selector), waiting (bounded) until `count` arrived. */
async function storedAtLeast(suite, run, count) {
  const selector = typeof run === 'string' ? { run } : run;
  try {
    return await suite.receiver.waitForEntries(count, { selector, timeoutMillis: 2000 });
  } catch {
    return suite.receiver.entries(selector);
  }
}

export function fail(message) {
  return { text: `FAIL: ${message}`, hard: true };
}

/** Why a fixture run is wrong whatever the runtime: it hung or ended with another status than asked. */
function brokenRun(result, mode) {
  if (result.hung) return fail(`hung (killed after ${CASE_TIMEOUT_MILLIS / 1000} s)`);
  if (result.code !== EXIT_CODE[mode])
    return fail(
      `exit status ${result.code ?? result.signal}, expected ${EXIT_CODE[mode]}; stderr: ${result.stderr.slice(0, 300)}`,
    );
  return undefined;
}

/**
 * The cell of a delivery case: `yes` when exactly the expected lines arrived (`lineOf` reads the line a
 * framework wrote), else how many did and which error codes the app was told.
 */
export async function deliveryCell(suite, result, mode, selector, expected, lineOf = (e) => e.line, check) {
  const broken = brokenRun(result, mode);
  if (broken) return broken;
  const entries = await storedAtLeast(suite, selector, expected.length);
  const lines = entries.map(lineOf);
  if (JSON.stringify(lines) === JSON.stringify(expected)) {
    const problem = check?.(entries);
    if (problem) return fail(problem);
    const ended = /ended (\d+) ms after logging/.exec(result.stderr);
    // A natural end waits for the flush's request only; 5 s or more is a timer (the fixtures' batch
    // interval, 10 s) or a socket holding the process.
    if (ended && Number(ended[1]) >= 5000)
      return { text: 'yes, but the process ends 5 s or more late', detail: ended[0] };
    return { text: 'yes', detail: ended?.[0] };
  }
  const missing = expected.filter((l) => !lines.includes(l)).length;
  const reported = result.errorCodes.length ? `, reported as ${result.errorCodes.join(', ')}` : ', not reported';
  if (missing === 0) return fail(`unexpected lines: ${JSON.stringify(lines).slice(0, 300)}`);
  return {
    text: `no: ${missing === expected.length ? 'all' : `${missing} of ${expected.length}`} lost${reported}`,
    detail: result.stderr.slice(0, 500),
  };
}

export const range = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
export const msgOf = (e) => JSON.parse(e.line).msg;
export const messageOf = (e) => JSON.parse(e.line).message;

/**
 * Entries each mode logs through a fixture's `log`: 200 before process.exit() (more than one chunk of
 * pino's and the delivery worker's hand-over, nothing sent yet), 5 otherwise.
 */
export const countOf = (mode) => (mode === 'exit' ? 200 : 5);

/** What each mode logs and, for `uncaught`, its handler. */
export function expectedLines(mode, fatal) {
  const lines = range(mode, countOf(mode));
  return mode === 'uncaught' ? [...lines, fatal] : lines;
}

export function labelsAre(expected) {
  return (entries) => {
    for (const e of entries) {
      const want = typeof expected === 'function' ? expected(e) : expected;
      if (JSON.stringify(e.labels) !== JSON.stringify(Object.fromEntries(Object.entries(want).sort())))
        return `labels ${e.stream}, expected ${JSON.stringify(want)}`;
    }
    return undefined;
  };
}

export const KILL_9 = 'kill -9, then the next process replays the disk buffer';

/**
 * The disk buffer across a kill -9: a writer whose Loki is down (a closed port) says `written` once its
 * 20 entries are on disk and is killed; a second process on the same folder replays them to the receiver.
 */
export async function diskCell(suite, rt, run, file, pre, check, lineOf) {
  const directory = mkdtempSync(join(tmpdir(), 'loki-sdk-cross-runtime-'));
  try {
    const env = { CROSS_RUNTIME_DISK_DIR: directory };
    const down = `http://${await closedPort()}`;
    let written = false;
    const writer = await runFixture(suite, rt, file, [down, run, ...pre, 'disk-write', '20'], {
      env,
      onLine: (line, child) => {
        if (line === 'written') {
          written = true;
          child.kill('SIGKILL');
        }
      },
    });
    if (!written)
      return fail(
        `the writer never said written (exit ${writer.code ?? writer.signal}): ${writer.stderr.slice(0, 300)}`,
      );
    const replay = await runFixture(suite, rt, file, [suite.receiver.url, run, ...pre, 'disk-replay'], { env });
    return deliveryCell(suite, replay, 'flush', run, range('durable', 20), lineOf, (entries) => {
      if (replay.report?.diskEntriesReplayed !== 20) return `replay report ${JSON.stringify(replay.report)}`;
      return check?.(entries);
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The cell of a `flush` run's stats().compression: the native binding where it loads, else snappyjs. */
export function compressionCell(compression) {
  return compression === 'snappy-native' ? 'yes: native binding' : `yes: ${compression} (pure-JS fallback)`;
}
