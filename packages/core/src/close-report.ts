import { entryCount } from './entry-count.js';
import { LokiError } from './errors.js';
import type { DropReason } from './client-types.js';

/**
 * The close() deadline report: what is given up now, and what was dropped before it (per reason), so the
 * one report at the end adds up to `stats().entriesDropped` even when each earlier reason was told only
 * once ("1 so far") by the first-per-code warnings.
 */
export function closeDeadlineError(
  timeoutMillis: number,
  givenUp: number,
  droppedBefore: Readonly<Record<DropReason, number>>,
): LokiError {
  const earlier = Object.entries(droppedBefore)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`);
  const before = earlier.length === 0 ? '' : ` (dropped before: ${earlier.join(', ')})`;
  const message = `close() deadline (${timeoutMillis} ms) passed${before}: ${entryCount(givenUp)} not delivered`;
  return new LokiError('ERR_LOKI_SHUTDOWN_TIMEOUT', message, { entries: givenUp });
}
