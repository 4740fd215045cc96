import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePushRequestProtobuf as referenceEncoder } from '@loki-sdk/testing';
import { CompactQueue } from '../src/compact-queue.js';
import { encodePushRequestProtobuf } from '../src/encode-protobuf.js';
import { encodePushRequestJson } from '../src/encode-json.js';
import { PackedEntry } from '../src/packed-entry.js';
import type { LokiEntry, StreamRef } from '../src/record.js';
import { groupByStream } from '../src/stream-groups.js';

const a: StreamRef = { key: '{app="a"}', labels: [['app', 'a']], lastNs: 0n };
const b: StreamRef = { key: '{app="b"}', labels: [['app', 'b']], lastNs: 0n };

function entry(stream: StreamRef, ns: bigint, line: string, metadata?: Array<[string, string]>, wrong = 0): LokiEntry {
  let bytes = Buffer.byteLength(line);
  for (const [n, v] of metadata ?? []) bytes += Buffer.byteLength(n) + Buffer.byteLength(v);
  // A wrong count that equals the UTF-16 length reads as ASCII: trusted, not checked (the mapper counts exactly).
  const units = line.length + (metadata ?? []).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (bytes + wrong === units) wrong = 0;
  return { stream, timestampNs: ns, line, metadata, bytes: bytes + wrong, seq: 0 };
}

/** What the entry reads as once held: strings as UTF-8 stores them (a lone surrogate is U+FFFD). */
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
const stored = (e: LokiEntry) => ({
  stream: e.stream.key,
  timestampNs: e.timestampNs,
  line: wellFormed(e.line),
  metadata: e.metadata?.map(([n, v]) => [wellFormed(n), wellFormed(v)]),
});

function held(entries: LokiEntry[]): { queue: CompactQueue; given: LokiEntry[] } {
  const queue = new CompactQueue();
  entries.forEach((e, i) => {
    e.seq = i + 1;
    queue.push(e);
  });
  return { queue, given: entries };
}

const now = 1_795_631_666_919_123_456n;
const cases = (): LokiEntry[] => [
  entry(a, now, 'plain ascii', [['user', 'u1']]),
  entry(b, now + 1n, 'héllo wörld', [['name', 'välue']]),
  entry(a, now + 2n, '', [['only', 'metadata']]),
  entry(a, now + 3n, 'empty value', [['k', '']]),
  entry(b, now + 4n, 'lone surrogate \ud800 here'),
  entry(a, now + 5n, 'x'.repeat(70_000), [['long', 'y'.repeat(300)]]),
  entry(a, 5n, 'zero seconds'),
  entry(a, 0n, 'zero time'),
  entry(b, -1_500_000_000_123n, 'before 1970'),
  entry(a, now + 6n, 'emoji \u{1F600} line', [['e', '\u{1F600}']]),
  entry(a, now + 7n, 'wrong count é', undefined, 3),
];

describe('compact queue: entries held as bytes', () => {
  it('gives back every entry as given (time, line, metadata, stream, seq, bytes), oldest first', () => {
    const { queue, given } = held(cases());
    expect(queue.length).toBe(given.length);
    expect(queue.bytes).toBe(given.reduce((n, e) => n + e.bytes, 0));
    expect(queue.firstSeq()).toBe(1);
    expect(queue.bytesAt(1)).toBe(given[1]!.bytes);
    const front = queue.front(3);
    expect(front.map(stored)).toEqual(given.slice(0, 3).map(stored));
    expect(queue.length).toBe(given.length);
    const taken = queue.take(given.length);
    expect(taken.map(stored)).toEqual(given.map(stored));
    expect(taken.map((e) => [e.seq, e.bytes])).toEqual(given.map((e) => [e.seq, e.bytes]));
    expect(queue.length).toBe(0);
    expect(queue.bytes).toBe(0);
    expect(queue.firstSeq()).toBeUndefined();
  });

  it('encodes the same protobuf and JSON bodies as the entries it was given', () => {
    const { queue, given } = held(cases());
    const packed = queue.take(given.length);
    expect(packed.every((e) => e instanceof PackedEntry)).toBe(true);
    const ours = encodePushRequestProtobuf(groupByStream(packed));
    expect(Buffer.from(ours).toString('hex')).toBe(
      Buffer.from(encodePushRequestProtobuf(groupByStream(given))).toString('hex'),
    );
    expect(encodePushRequestJson(groupByStream(packed))).toBe(encodePushRequestJson(groupByStream(given)));
    // Packed and string entries mixed in one body.
    const mixed = [...packed.slice(0, 4), ...given.slice(4)];
    expect(Buffer.from(encodePushRequestProtobuf(groupByStream(mixed))).toString('hex')).toBe(
      Buffer.from(ours).toString('hex'),
    );
  });

  it('keeps every time exact when entries hop between seconds (the sizing remembers the last second)', () => {
    const s = 1_795_631_666_000_000_000n;
    const times = [s, s + 1n, s - 1n, s + 999_999_999n, s + 1_000_000_000n, s - 1n, 0n, -1n, s, 999_999_999n, s];
    const { queue, given } = held(times.map((ns, i) => entry(i % 2 ? a : b, ns, `t${i}`)));
    expect(queue.take(given.length).map((e) => e.timestampNs)).toEqual(times);
    const again = held(times.map((ns, i) => entry(i % 2 ? a : b, ns, `t${i}`)));
    const groups = groupByStream(again.queue.take(times.length));
    const reference = groups.map((g) => ({
      labels: g.stream.key,
      entries: g.entries.map((e) => ({ timestampNs: e.timestampNs, line: e.line, metadata: [] })),
    }));
    expect(Buffer.from(encodePushRequestProtobuf(groups))).toEqual(Buffer.from(referenceEncoder(reference)));
  });

  it('counts seqs up to a target across chunks, and shifts one at a time', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => entry(i % 3 === 0 ? a : b, now + BigInt(i), `line ${i}`));
    const { queue } = held(many);
    expect(queue.countUpTo(0)).toBe(0);
    expect(queue.countUpTo(12_345)).toBe(12_345);
    expect(queue.countUpTo(99_999)).toBe(20_000);
    expect(queue.shift()!.line).toBe('line 0');
    expect(queue.firstSeq()).toBe(2);
    expect(queue.countUpTo(12_345)).toBe(12_344);
    const next = queue.take(9_000);
    expect(next[8_999]!.line).toBe('line 9000');
    expect(queue.bytesAt(0)).toBe(Buffer.byteLength('line 9001'));
    const rest = queue.clear();
    expect(rest.length).toBe(10_999);
    expect(rest[10_998]!.line).toBe('line 19999');
    expect(rest[10_998]!.stream).toBe(b);
  });

  it('starts a new chunk where seqs are not consecutive', () => {
    const queue = new CompactQueue();
    const seqs = [1, 2, 5, 6, 9];
    for (const seq of seqs) queue.push({ ...entry(a, now + BigInt(seq), `s${seq}`), seq });
    expect(queue.countUpTo(5)).toBe(3);
    expect(queue.take(5).map((e) => [e.seq, e.line])).toEqual(seqs.map((s) => [s, `s${s}`]));
  });

  it('random Unicode and times: the receiver encoder bytes, even with a wrong byte count', () => {
    const unit = fc.constantFrom('\uD800', '\uDC00', '\uFFFD', '\u0000', '\u{1F600}', 'é', 'a', 'z');
    const text = fc.string({ unit, maxLength: 40 });
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            text,
            fc.array(fc.tuple(text, text), { maxLength: 3 }),
            fc.bigInt({ min: -9_223_372_036_854_775_808n, max: 9_223_372_036_854_775_807n }),
            fc.constantFrom(0, 0, 1, -1),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (rows) => {
          const given = rows.map(([line, md, ns, wrong]) => entry(a, ns, line, md.length > 0 ? md : undefined, wrong));
          const { queue } = held(given);
          const packed = queue.take(given.length);
          expect(packed.map(stored)).toEqual(given.map(stored));
          const expected = referenceEncoder([
            {
              labels: a.key,
              entries: given.map((e) => ({ timestampNs: e.timestampNs, line: e.line, metadata: e.metadata ?? [] })),
            },
          ]);
          expect(Buffer.from(encodePushRequestProtobuf(groupByStream(packed))).toString('hex')).toBe(
            Buffer.from(expected).toString('hex'),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
