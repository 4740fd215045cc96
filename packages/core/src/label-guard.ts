import { canonicalLabels } from './labels.js';
import { LokiError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/** How many label names are tracked at once: the memory of the guard stays bounded. */
const MAX_TRACKED_NAMES = 1000;

export interface LabelGuardSettings {
  /** Distinct values a label name may take within the window; false: no per-name limit. */
  readonly maxValues: number | false;
  /** Distinct streams within the window; false: no cap. */
  readonly maxStreams: number | false;
  readonly windowMillis: number;
  /** Never demoted (static labels, the level label). */
  readonly protectedNames: ReadonlySet<string>;
}

export interface GuardResult {
  /** The labels to use. */
  readonly labels: Array<[string, string]>;
  /** The pairs moved to structured metadata, same names. */
  readonly demoted: Array<[string, string]>;
}

/**
 * The cardinality guard: a sliding window of the distinct values of each label name and of the distinct
 * streams. A name past its limit (or the one with most values when the stream cap is hit) stops being a
 * label for the client's life: its value goes to metadata instead, so the data stays and the stream count
 * stays bounded. Tracking stops at the limit (at most maxValues values kept per name).
 */
export class LabelGuard {
  private readonly values = new Map<string, Map<string, number>>();
  private readonly streams = new Map<string, { names: readonly string[]; last: number }>();
  /** Demoted label name -> distinct values counted when it was demoted. */
  readonly demoted = new Map<string, number>();
  /**
   * The last answer per stream key, reused for a sixteenth of the window while no name was demoted since: most
   * entries repeat a stream, and a full check (a map update per label, the stream's canonical text) cost the
   * bench's labelled core push about 40%. Its last-seen times are then up to window/16 old: a value or stream may
   * leave the window that much early, never late; new values and streams are always checked in full.
   */
  private readonly recent = new Map<string, { at: number; epoch: number; result: GuardResult | undefined }>();

  constructor(
    private readonly settings: LabelGuardSettings,
    private readonly onDemote: (name: string, count: number, reason: 'values' | 'streams') => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** undefined: use the labels as they are. */
  check(labels: ReadonlyArray<readonly [string, string]>, key?: string): GuardResult | undefined {
    const now = this.now();
    if (key === undefined) return this.fullCheck(labels, now);
    const last = this.recent.get(key);
    if (last !== undefined && last.epoch === this.demoted.size && now - last.at < this.settings.windowMillis / 16) {
      return last.result;
    }
    const result = this.fullCheck(labels, now);
    if (this.recent.size >= 10_000) this.recent.clear();
    this.recent.set(key, { at: now, epoch: this.demoted.size, result });
    return result;
  }

  private fullCheck(labels: ReadonlyArray<readonly [string, string]>, now: number): GuardResult | undefined {
    const { maxValues, maxStreams, windowMillis, protectedNames } = this.settings;
    const since = now - windowMillis;
    let changed = false;
    for (const [name, value] of labels) {
      if (protectedNames.has(name) || this.demoted.has(name)) {
        changed ||= this.demoted.has(name);
        continue;
      }
      if (maxValues === false) continue;
      let seen = this.values.get(name);
      if (seen === undefined) {
        if (this.values.size >= MAX_TRACKED_NAMES) continue;
        seen = new Map();
        this.values.set(name, seen);
      }
      if (seen.has(value)) {
        seen.set(value, now);
        continue;
      }
      if (seen.size >= maxValues) prune(seen, since);
      if (seen.size >= maxValues) {
        this.demote(name, seen.size + 1, 'values');
        changed = true;
        continue;
      }
      seen.set(value, now);
    }
    let kept = changed ? labels.filter(([name]) => !this.demoted.has(name)) : labels;
    if (maxStreams !== false) {
      for (;;) {
        const key = canonicalLabels(kept);
        const tracked = this.streams.get(key);
        if (tracked !== undefined) {
          tracked.last = now;
          break;
        }
        if (this.streams.size >= maxStreams) {
          for (const [k, s] of this.streams) if (s.last < since) this.streams.delete(k);
        }
        if (this.streams.size < maxStreams) {
          this.streams.set(key, { names: kept.map(([n]) => n), last: now });
          break;
        }
        // The label of this stream with most distinct values; the first in label order on a tie.
        let victim: string | undefined;
        let most = -1;
        for (const [name] of kept) {
          if (protectedNames.has(name)) continue;
          const count = this.values.get(name)?.size ?? 0;
          if (count > most) [victim, most] = [name, count];
        }
        if (victim === undefined) break; // nothing left to demote: the stream goes as it is
        this.demote(victim, most, 'streams');
        for (const [k, s] of this.streams) if (s.names.includes(victim)) this.streams.delete(k);
        kept = kept.filter(([name]) => name !== victim);
        changed = true;
      }
    }
    if (!changed) return undefined;
    return {
      labels: kept.map(([n, v]) => [n, v]),
      demoted: labels.filter(([name]) => this.demoted.has(name)).map(([n, v]) => [n, v]),
    };
  }

  private demote(name: string, count: number, reason: 'values' | 'streams'): void {
    this.demoted.set(name, count);
    this.values.delete(name);
    this.onDemote(name, count, reason);
  }
}

function prune(seen: Map<string, number>, since: number): void {
  for (const [value, last] of seen) if (last < since) seen.delete(value);
}

/** The guard of a client's options (undefined when both limits are off); its demotions go to the error path. */
export function guardFor(
  options: Pick<
    ResolvedOptions,
    'labelMaxValues' | 'maxStreams' | 'cardinalityWindowMillis' | 'staticLabels' | 'levelLabel'
  >,
  report: (error: LokiError) => void,
): LabelGuard | undefined {
  if (options.labelMaxValues === false && options.maxStreams === false) return undefined;
  const protectedNames = new Set(options.staticLabels.map(([name]) => name));
  if (options.levelLabel !== false) protectedNames.add(options.levelLabel);
  return new LabelGuard(
    {
      maxValues: options.labelMaxValues,
      maxStreams: options.maxStreams,
      windowMillis: options.cardinalityWindowMillis,
      protectedNames,
    },
    (name, count, reason) =>
      report(
        new LokiError(
          'ERR_LOKI_CARDINALITY',
          reason === 'values'
            ? `label "${name}" had ${count} distinct values within ${options.cardinalityWindowMillis} ms ` +
                `(labelMaxValues ${String(options.labelMaxValues)}): its values go to structured metadata from now on`
            : `${String(options.maxStreams)} streams within ${options.cardinalityWindowMillis} ms (maxStreams): ` +
                `label "${name}" (${count} distinct values) goes to structured metadata from now on`,
          { label: name, entries: count },
        ),
      ),
  );
}
