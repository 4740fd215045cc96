import { LokiError } from './errors.js';

/**
 * Edit distance (insert, delete, substitute, swap two neighbours: `hots` is 1 from `host`),
 * case-insensitive (`tenantID` is 0 from `tenantId`).
 */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known name closest to `name`, when it is close enough to be a typo of it. */
export function suggestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Short names need a closer match: `url` is not a typo of `tls`.
  return best !== undefined && bestDistance <= Math.max(1, Math.min(3, Math.floor(name.length / 3))) ? best : undefined;
}

/**
 * One report for every option name nobody knows, or undefined when there is none. `hints` says
 * what to use instead of a name another library spells differently (`batching` -> ...).
 * Names only: option values (credentials among them) never reach the message.
 */
export function unknownOptionsError(
  options: object | null | undefined,
  known: ReadonlySet<string> | readonly string[],
  hints: Readonly<Record<string, string>> = {},
): LokiError | undefined {
  if (options === null || options === undefined || typeof options !== 'object') return undefined;
  const knownSet: ReadonlySet<string> = known instanceof Set ? known : new Set(known);
  const parts: string[] = [];
  for (const key of Object.keys(options)) {
    if (knownSet.has(key)) continue;
    const hint = Object.prototype.hasOwnProperty.call(hints, key) ? hints[key] : undefined;
    if (hint !== undefined) {
      parts.push(`${key} (${hint})`);
      continue;
    }
    const suggestion = suggestName(key, knownSet);
    parts.push(suggestion === undefined ? key : `${key} (did you mean ${suggestion}?)`);
  }
  if (parts.length === 0) return undefined;
  return new LokiError(
    'ERR_LOKI_INVALID_OPTIONS',
    `unknown option${parts.length > 1 ? 's' : ''} ignored: ${parts.join(', ')}`,
  );
}
