import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineQueue } from '../src/line-queue.js';

/** The queue's contract in its simplest form: split the whole input, a last line without newline at the end. */
function referenceLines(chunks: string[], ended: boolean): string[] {
  const parts = chunks.join('').split('\n');
  const last = parts.pop()!;
  if (ended && last.length > 0) parts.push(last);
  return parts;
}

// The worker's read path: chunks as thread-stream cuts them (anywhere, also inside a line), split once.
describe('LineQueue', () => {
  it('joins a line cut across chunks, keeps blank lines, takes in batches, oldest first', () => {
    const q = new LineQueue();
    expect(q.add('{"a":1}\n{"b"')).toBe(1);
    expect(q.add(':2}\n\n{"c":3}\n')).toBe(3);
    expect(q.add('{"d":')).toBe(0);
    expect(q.size).toBe(4);
    expect(q.take(3)).toEqual(['{"a":1}', '{"b":2}', '']);
    expect(q.take(3)).toEqual(['{"c":3}']);
    expect(q.take(3)).toEqual([]);
    expect(q.chars).toBe(0);
    expect(q.end()).toBe(1); // a last line without its newline
    expect(q.take(10)).toEqual(['{"d":']);
  });

  it('counts the queued text for the reader bound, and clear() says how many lines it dropped', () => {
    const q = new LineQueue();
    q.add('x'.repeat(99) + '\n' + 'y'.repeat(99) + '\n');
    expect(q.chars).toBe(200);
    q.take(1);
    expect(q.chars).toBe(100);
    q.add('z\n');
    expect(q.clear()).toBe(2);
    expect(q.size).toBe(0);
  });

  it('gives back non-ASCII text as written: "é", CJK, 4-byte characters, a character cut between two chunks', () => {
    const q = new LineQueue();
    q.add('{"msg":"café 日本 \u{1F600}"}\n{"msg":"\uD83D');
    q.add('\uDE00 ok"}\r\n');
    expect(q.take(5)).toEqual(['{"msg":"café 日本 \u{1F600}"}', '{"msg":"\u{1F600} ok"}\r']);
    expect(q.chars).toBe(0);
  });

  it('a line longer than the largest chunk, lines across chunk boundaries, 2 MiB of lines: all given back in order', () => {
    const q = new LineQueue();
    const big = 'b'.repeat(5 * 1024 * 1024);
    const lines: string[] = [];
    let text = '';
    for (let i = 0; i < 40_000; i++) {
      const line = `{"i":${i},"pad":"${'p'.repeat(i % 50)}"}`;
      lines.push(line);
      text += line + '\n';
    }
    // Cut at odd places, so lines straddle the chunks the queue grows through (64 KiB doubling).
    for (let at = 0; at < text.length; at += 7919) q.add(text.slice(at, at + 7919));
    q.add(big.slice(0, 3));
    q.add(big.slice(3) + '\nlast');
    expect(q.end()).toBe(1);
    const out: string[] = [];
    for (let batch = q.take(256); batch.length > 0; batch = q.take(256)) out.push(...batch);
    expect(out.length).toBe(40_002);
    expect(out.slice(0, 40_000)).toEqual(lines);
    expect(out[40_000]!.length).toBe(big.length);
    expect(out[40_001]).toBe('last');
    expect(q.size).toBe(0);
  });

  it('reuses its storage once emptied: old bytes past the new text are never read as lines', () => {
    const q = new LineQueue();
    q.add('a'.repeat(1000) + '\n' + 'b'.repeat(1000) + '\n');
    expect(q.take(10)).toEqual(['a'.repeat(1000), 'b'.repeat(1000)]);
    q.add('c\nd'); // written over the start of the old bytes; "d" is a partial line
    expect(q.take(10)).toEqual(['c']);
    expect(q.end()).toBe(1);
    expect(q.take(10)).toEqual(['d']);
    expect(q.end()).toBe(0);
  });

  it('holds what it queued as bytes off the JS heap (a backlog of strings was promoted, then stayed as garbage)', () => {
    const q = new LineQueue();
    const before = process.memoryUsage().arrayBuffers;
    const line = '{"level":30,"msg":"' + 'x'.repeat(100) + '"}\n';
    for (let i = 0; i < 100; i++) q.add(line.repeat(1000));
    expect(q.size).toBe(100_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(100_000 * line.length);
  });

  it('any text, cut anywhere (inside a line, between the halves of a pair), taken in any batch sizes: the lines of the whole', () => {
    const piece = fc.oneof(
      fc.constantFrom('\n', '\r\n', 'é', '日本', '\u{1F600}', '{"a":1}', ''),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.integer({ min: 1, max: 70_000 }).map((n) => 'x'.repeat(n)),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((p) => p.join('')),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (text, cutsAt, takes, ended) => {
          const cuts = [...new Set(cutsAt.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks = [...cuts, text.length].map((end, k) => text.slice(k === 0 ? 0 : cuts[k - 1], end));
          const q = new LineQueue();
          const out: string[] = [];
          let added = 0;
          chunks.forEach((chunk, k) => {
            added += q.add(chunk);
            out.push(...q.take(takes[k % takes.length]!)); // takes interleaved with adds
          });
          if (ended) added += q.end();
          expect(q.size).toBe(added - out.length);
          for (let batch = q.take(3); batch.length > 0; batch = q.take(3)) out.push(...batch);
          expect(out).toEqual(referenceLines([text], ended));
          expect(q.chars).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
