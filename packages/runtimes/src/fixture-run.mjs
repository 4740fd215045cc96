// Running one fixture under one runtime, bounded by a timeout, and reading what it printed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const CASE_TIMEOUT_MILLIS = 30_000;
/** Entry times of the fixtures that set them: a minute before the cases start, whole seconds. */
export function baseNs() {
  return BigInt(Math.floor(Date.now() / 1000) - 60) * 1_000_000_000n;
}

/**
 * Runs one fixture under a runtime, from `suite.fixtures`. `onLine(line, child)` sees stdout lines as they
 * come (the disk case kills the writer from there); `runtimeArgs` replaces the runtime's own (`rt.args`);
 * `env` adds to the environment. argv: url, run id, `suite.baseNs`, the rest (see fixtures/common.mjs).
 * Resolves with exit status, signal, time, stderr, the fixture's report and error codes.
 */
export function runFixture(suite, rt, file, [url, run, ...args], { onLine, runtimeArgs = rt.args, env = {} } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(rt.bin, [...runtimeArgs, join(suite.fixtures, file), url, run, String(suite.baseNs), ...args], {
      cwd: suite.fixtures,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, CASE_TIMEOUT_MILLIS);
    child.stdout.on('data', (d) => {
      const before = stdout.length;
      stdout += d.toString();
      if (onLine)
        for (const line of stdout
          .slice(stdout.lastIndexOf('\n', before - 1) + 1)
          .split('\n')
          .slice(0, -1))
          onLine(line, child);
    });
    child.stderr.on('data', (d) => (stderr += d.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.split('\n');
      const reportLine = lines.find((l) => l.startsWith('report '));
      resolve({
        code,
        signal,
        hung,
        elapsedMillis: Date.now() - started,
        stderr,
        report: reportLine ? JSON.parse(reportLine.slice(7)) : undefined,
        errorCodes: [
          ...new Set(
            stderr
              .split('\n')
              .filter((l) => l.startsWith('lokiError '))
              .map((l) => l.split(' ')[1]),
          ),
        ],
      });
    });
  });
}
