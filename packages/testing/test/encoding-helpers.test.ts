import { uncompressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import {
  compressSnappyBlock,
  encodePushRequestProtobuf,
  formatLabels,
  LabelSyntaxError,
  parseLokiLabels,
} from '../src/index.js';
import { decodePushRequestProtobuf } from '../src/protobuf-decoder.js';

describe('encodePushRequestProtobuf', () => {
  it('writes the wire format of push.proto', () => {
    const bytes = encodePushRequestProtobuf([
      { labels: '{a="b"}', entries: [{ timestampNs: 1_000_000_002n, line: 'x' }] },
    ]);
    expect([...bytes]).toEqual([
      0x0a,
      0x14, // streams, 20 bytes
      0x0a,
      0x07,
      ...Buffer.from('{a="b"}'), // labels
      0x12,
      0x09, // entries, 9 bytes
      0x0a,
      0x04,
      0x08,
      0x01,
      0x10,
      0x02, // timestamp {seconds: 1, nanos: 2}
      0x12,
      0x01,
      0x78, // line "x"
    ]);
  });

  it('round-trips through the decoder, including pre-1970 timestamps, metadata pairs and UTF-8', () => {
    const streams = [
      {
        labels: '{app="ü"}',
        entries: [
          {
            timestampNs: -1n,
            line: 'before epoch',
            metadata: [
              ['k', 'v'],
              ['k', 'again'],
            ] as Array<[string, string]>,
          },
          { timestampNs: 1_700_000_000_123_456_789n, line: '', metadata: { 'trace.id': 'é' } },
        ],
      },
      { labels: '', entries: [] },
    ];
    const decoded = decodePushRequestProtobuf(encodePushRequestProtobuf(streams));
    expect(decoded).toEqual([
      {
        labels: '{app="ü"}',
        entries: [
          {
            timestampNs: -1n,
            line: 'before epoch',
            lineBytes: 12,
            metadata: [
              ['k', 'v'],
              ['k', 'again'],
            ],
          },
          { timestampNs: 1_700_000_000_123_456_789n, line: '', lineBytes: 0, metadata: [['trace.id', 'é']] },
        ],
      },
      { labels: '', entries: [] },
    ]);
  });

  it('compressSnappyBlock produces the snappy block format', () => {
    const raw = encodePushRequestProtobuf([
      { labels: '{a="b"}', entries: [{ timestampNs: 1n, line: 'hello hello hello hello' }] },
    ]);
    const compressed = compressSnappyBlock(raw);
    expect(compressed[0]).toBe(raw.length); // varint of the uncompressed length, no sNaPpY frame header
    expect(Buffer.compare(uncompressSync(compressed, { asBuffer: true }) as Buffer, raw)).toBe(0);
  });
});

describe('label helpers', () => {
  it('formatLabels renders the canonical form', () => {
    expect(formatLabels({ b: 'y', a: 'x\n"q"\\', c: '', d: '\u0001\u00a0é😀' })).toBe(
      '{a="x\\n\\"q\\"\\\\", b="y", d="\\x01\\u00a0é😀"}',
    );
    expect(formatLabels({})).toBe('{}');
  });

  it('parseLokiLabels parses like Loki and round-trips formatLabels', () => {
    const labels = { z: 'last', a: 'tab\there', m: 'quote " and \\ backslash', u: 'ü\u00a0' };
    const text = formatLabels(labels);
    expect(parseLokiLabels(text)).toEqual(
      Object.entries(labels)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([name, value]) => ({ name, value })),
    );
    expect(parseLokiLabels('')).toEqual([]);
    // Go's strconv.Quote keeps U+FFFD raw, and Loki's parser rejects it: clients must send \ufffd
    expect(() => parseLokiLabels(formatLabels({ a: '\ufffd' }))).toThrow('invalid UTF-8 rune');
    expect(parseLokiLabels('{a="\\ufffd"}')).toEqual([{ name: 'a', value: '\ufffd' }]);
    expect(parseLokiLabels('{a="x", b=""}')).toEqual([{ name: 'a', value: 'x' }]);
  });

  it('reports errors with line and byte column', () => {
    try {
      parseLokiLabels('{é="x",\n  b.c="y"}');
      throw new Error('expected failure');
    } catch (err) {
      expect(err).toBeInstanceOf(LabelSyntaxError);
      expect((err as LabelSyntaxError).message).toBe("1:2: parse error: unexpected character inside braces: 'é'");
    }
    expect(() => parseLokiLabels('{a="x",\n  b.c="y"}')).toThrow(
      "2:4: parse error: unexpected character inside braces: '.'",
    );
    expect(() => parseLokiLabels('{ü="x", a.b="y"}')).toThrow(
      "1:2: parse error: unexpected character inside braces: 'ü'",
    );
    expect(() => parseLokiLabels('{a="ü", b.c="y"}')).toThrow(
      "1:11: parse error: unexpected character inside braces: '.'",
    );
  });
});
