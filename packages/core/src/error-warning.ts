import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import type { LokiError } from './errors.js';

const warnedCodes = new Set<string>();

/** Writes one line to stderr now, synchronously. Never throws. */
export function writeStderrLine(text: string): void {
  try {
    writeSync(2, `${text}\n`);
  } catch {
    // stderr closed: nothing more we can do
  }
}

/**
 * The library's default error report, for every package: a process warning the first time each
 * error code occurs, so a down Loki does not flood stderr. `hint` says how to see them all.
 *
 * Written to stderr synchronously where a warning would be lost: inside the `exit` event (no tick
 * runs any more, so emitWarning would never print) and in a worker thread (its stderr reaches the
 * process through the main thread, which does not read it while it waits for the worker at exit:
 * pino's transport worker).
 */
export function warnOncePerCode(error: LokiError, hint: string): void {
  if (warnedCodes.has(error.code)) return;
  warnedCodes.add(error.code);
  const text = `${error.message} (further ${error.code} warnings are suppressed; ${hint})`;
  if (!isMainThread || (process as unknown as { _exiting?: boolean })._exiting === true) {
    writeStderrLine(`(node:${process.pid}) [${error.code}] LokiWarning: ${text}`);
    return;
  }
  process.emitWarning(text, { type: 'LokiWarning', code: error.code });
}
