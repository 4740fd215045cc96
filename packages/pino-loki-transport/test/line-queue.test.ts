import { describe, expect, it } from 'vitest';
import { LineQueue } from '../src/line-queue.js';

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
});
