// Starts scenario.mjs for one subject and follows its stdout protocol. Every child is bounded: past
// its deadline it is killed and recorded as "did not finish".
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LINGER_MILLIS = 10_000;
const SCENARIO = fileURLToPath(new URL('./scenario.mjs', import.meta.url));

/**
 * Returns { ready: Promise<void>, go(): void, done: Promise<{ result?, exitCode, signal, killed, stderrTail }> }.
 * `go()` may be called once `ready` resolved.
 */
export function startChild({ subject, scenario, url, params, deadlineMillis, nodeArgs = [] }) {
  const child = spawn(process.execPath, [...nodeArgs, SCENARIO, subject, scenario, url, JSON.stringify(params)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let stdout = '';
  let stderr = '';
  let result;
  let lingered = false;
  let lingerTimer;
  let readyResolve;
  const ready = new Promise((resolve) => {
    readyResolve = resolve;
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    let nl;
    while ((nl = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      if (line === '@@READY') readyResolve();
      else if (line.startsWith('@@RESULT ')) {
        result = JSON.parse(line.slice(9));
        // Done and delivered: a child that then does not exit by itself is noted, and ended.
        lingerTimer = setTimeout(() => {
          lingered = true;
          child.kill('SIGKILL');
        }, LINGER_MILLIS);
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    // Competitors print their delivery errors; keep the tail for the report, not the whole flood.
    stderr = (stderr + chunk).slice(-4000);
  });
  child.stdin.on('error', () => {});

  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, deadlineMillis);
  const done = new Promise((resolve) => {
    child.on('exit', (exitCode, signal) => {
      clearTimeout(timer);
      clearTimeout(lingerTimer);
      readyResolve();
      resolve({
        result,
        exitCode,
        signal,
        killed,
        lingered,
        stderrTail: stderr.trim().split('\n').slice(-8).join('\n'),
      });
    });
  });
  return {
    pid: child.pid,
    ready,
    go: () => {
      try {
        child.stdin.end('go\n');
      } catch {
        // Child already gone: `done` tells.
      }
    },
    done,
    kill: () => child.kill('SIGKILL'),
  };
}
