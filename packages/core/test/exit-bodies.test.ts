import { describe, expect, it } from 'vitest';
import { exitBodies } from '../src/exit-bodies.js';
import type { LokiEntry } from '../src/record.js';

const stream = { key: '{app="x"}', labels: [['app', 'x']] as const, lastNs: 0n };
const entries = (n: number, from = 1): LokiEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    stream,
    timestampNs: BigInt(from + i),
    line: `l${from + i}`,
    metadata: undefined,
    bytes: 2,
    seq: from + i,
  }));
const options = { batchMaxEntries: 2, batchMaxBytes: 1000, encoding: 'json' as const };

describe('what the exit drain sends', () => {
  it('an in-flight body is reused as it is; waiting entries become bodies of the batch size rule, in order', () => {
    const inFlight = entries(3);
    const encoded = { body: Buffer.from('already'), headers: { 'content-type': 'application/json' } };
    const waiting = entries(5, 4);
    const out = exitBodies(
      [
        { entries: inFlight, encoded, unanswered: true },
        { entries: waiting, unanswered: false },
      ],
      options,
      Infinity,
    );
    expect(out.bodies.map((b) => b.entries)).toEqual([3, 2, 2, 1]);
    expect(out.bodies[0]!.body).toBe(encoded.body);
    expect(out.resent).toEqual([true, false, false, false]);
    expect(out.bodyEntries.flat().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(JSON.parse(out.bodies[1]!.body.toString()).streams[0].values.map((v: string[]) => v[1])).toEqual([
      'l4',
      'l5',
    ]);
  });

  it('stops encoding at encodeUntil (ms), but always sends one body', () => {
    let clock = 1000;
    const now = (): number => clock++; // every look at the clock costs 1 ms
    const out = exitBodies([{ entries: entries(10), unanswered: false }], options, 1000, now);
    expect(out.bodies.map((b) => b.entries)).toEqual([2]);
    clock = 0;
    const later = exitBodies([{ entries: entries(10), unanswered: false }], options, 3, now);
    expect(later.bodies.map((b) => b.entries)).toEqual([2, 2, 2]);
  });
});
