import { describe, expect, it } from 'vitest';
import { segmentBound, segmentsToDelete } from '../src/disk-bounds.js';
import { readSegment, recordLine, SENT, SETTLED, WRITTEN, type ReplayedEntry } from '../src/disk-records.js';
import type { DiskSegment, LokiEntry, StreamRef } from '../src/record.js';

const seg = (name: string, dataBytes: number, records: number): DiskSegment => ({
  path: `${name}.seg`,
  ackPath: `${name}.ack`,
  dataBytes,
  records,
  unsettled: records,
  state: 'sealed',
});

describe('disk bounds', () => {
  it('a segment never exceeds what maxBytes leaves beside the lock', () => {
    expect(segmentBound(8000, 1000, 100)).toBe(900);
    expect(segmentBound(500, 1000, 100)).toBe(500);
    expect(segmentBound(500, 50, 100)).toBe(1);
  });

  it('deletes the oldest segments, never the one being written, until the write fits (ack bytes counted)', () => {
    const a = seg('a', 290, 10); // 300 bytes with its acks
    const b = seg('b', 290, 10);
    const c = seg('c', 290, 10);
    // lock 100 + 900 = 1000: a write of 50 within 1000 needs one segment gone
    expect(segmentsToDelete([a, b, c], 100, 50, 1000, undefined)).toEqual([a]);
    expect(segmentsToDelete([a, b, c], 100, 50, 1000, a)).toEqual([b]);
    expect(segmentsToDelete([a, b, c], 100, 400, 1000, c)).toEqual([a, b]);
    expect(segmentsToDelete([a, b, c], 100, 0, 1000, undefined)).toEqual([]);
  });
});

describe('disk records', () => {
  const stream: StreamRef = { key: '{app="d"}', labels: [['app', 'd']], lastNs: 0n };
  const entry = (line: string, metadata?: Array<[string, string]>): LokiEntry => ({
    stream,
    timestampNs: 1234567890123456789n,
    line,
    metadata,
    bytes: 0,
    seq: 0,
  });

  it('reads back what recordLine wrote, without settled records, marking the sent ones', () => {
    const text = recordLine(entry('one')) + recordLine(entry('twö', [['k', 'v']])) + recordLine(entry('three'));
    const out: ReplayedEntry[] = [];
    const corrupt: number[] = [];
    const segment = readSegment(
      'p.seg',
      'p.ack',
      text,
      Buffer.from([SETTLED, SENT, WRITTEN]),
      () => stream,
      out,
      (line) => corrupt.push(line),
    );
    expect(segment).toMatchObject({ records: 3, unsettled: 2, dataBytes: Buffer.byteLength(text), state: 'sealed' });
    expect(out.map((e) => [e.line, e.diskIndex, e.sentBefore, e.bytes, e.timestampNs])).toEqual([
      ['twö', 1, true, Buffer.byteLength('twö') + 2, 1234567890123456789n],
      ['three', 2, false, 5, 1234567890123456789n],
    ]);
    expect(out[0]!.metadata).toEqual([['k', 'v']]);
    expect(corrupt).toEqual([]);
  });

  it('reports an unreadable record and a torn tail by line number, and goes on', () => {
    const text = `${recordLine(entry('one'))}not json\n${recordLine(entry('three')).slice(0, 10)}`;
    const out: ReplayedEntry[] = [];
    const corrupt: Array<[number, boolean]> = [];
    readSegment(
      'p.seg',
      'p.ack',
      text,
      Buffer.alloc(0),
      () => stream,
      out,
      (line, torn) => corrupt.push([line, torn]),
    );
    expect(out.map((e) => e.line)).toEqual(['one']);
    expect(corrupt).toEqual([
      [2, false],
      [3, true],
    ]);
  });
});
