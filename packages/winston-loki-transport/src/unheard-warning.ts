import { writeSync } from 'node:fs';
import type { LokiError } from '@loki-sdk/core';

const warnedCodes = new Set<string>();

/**
 * When nobody listens to `'warn'` (on the transport or its logger) and no `onError` was given, a
 * failure must not vanish: one process warning per error code, as @loki-sdk/core does by default.
 * During the `exit` event no tick runs any more, so `process.emitWarning` would never print; the
 * warning is written to stderr synchronously instead.
 */
export function warnUnheard(error: LokiError): void {
  if (warnedCodes.has(error.code)) return;
  warnedCodes.add(error.code);
  const text = `${error.message} (further ${error.code} warnings are suppressed; listen to 'warn' on the transport or logger to see all)`;
  if ((process as unknown as { _exiting?: boolean })._exiting === true) {
    try {
      writeSync(2, `(node:${process.pid}) [${error.code}] LokiWarning: ${text}\n`);
    } catch {
      // stderr closed: nothing left to tell.
    }
    return;
  }
  process.emitWarning(text, { type: 'LokiWarning', code: error.code });
}
