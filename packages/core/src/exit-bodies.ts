import { fitsInBatch } from './batch-schedule.js';
import type { DrainBody } from './exit-drain.js';
import type { ResolvedOptions } from './options.js';
import { encodePushBody, type EncodedBody, type WireFormat } from './push-encoder.js';
import type { LokiEntry } from './record.js';

/** What the exit drain sends: everything held, as request bodies, within the time encoding may take. */

/**
 * Entries taken at exit: an in-flight batch (its body reused; `unanswered`: on the wire without an answer) or the
 * waiting entries.
 */
export interface ExitGroup {
  entries: LokiEntry[];
  encoded?: EncodedBody;
  unanswered: boolean;
}

export interface ExitBodies {
  bodies: DrainBody[];
  /** Per body: its entries may be in Loki already (a re-send when delivered). */
  resent: boolean[];
  /** Per body, its entries: those of an acknowledged body are settled on disk (never replayed). */
  bodyEntries: LokiEntry[][];
}

/**
 * The groups as bodies of the batch size rule, oldest first, until `encodeUntil` (epoch ms; at least
 * one body): what is left unencoded then is not sent (counted by the caller). Throws what encoding throws.
 */
export function exitBodies(
  groups: readonly ExitGroup[],
  options: Pick<ResolvedOptions, 'batchMaxEntries' | 'batchMaxBytes'> & WireFormat,
  encodeUntil: number,
  now: () => number = Date.now,
): ExitBodies {
  const bodies: DrainBody[] = [];
  const resent: boolean[] = [];
  const bodyEntries: LokiEntry[][] = [];
  for (const group of groups) {
    if (now() >= encodeUntil && bodies.length > 0) break;
    if (group.encoded !== undefined) {
      bodies.push({ ...group.encoded, entries: group.entries.length });
      resent.push(group.unanswered);
      bodyEntries.push(group.entries);
      continue;
    }
    const { entries } = group;
    for (let i = 0; i < entries.length && (bodies.length === 0 || now() < encodeUntil);) {
      const chunk: LokiEntry[] = [];
      let bytes = 0;
      while (i < entries.length && fitsInBatch(chunk.length, bytes, entries[i]!, options)) {
        bytes += entries[i]!.bytes;
        chunk.push(entries[i++]!);
      }
      bodies.push({ ...encodePushBody(chunk, options), entries: chunk.length });
      resent.push(group.unanswered);
      bodyEntries.push(chunk);
    }
  }
  return { bodies, resent, bodyEntries };
}
