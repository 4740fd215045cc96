import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalLabels,
  escapeLabelValue,
  labelValueToString,
  sanitizeLabelName,
  truncateUtf8,
} from '../src/labels.js';
import { backoffDelayMillis, classifyStatus, parseRetryAfter } from '../src/retry-policy.js';
import { metadataValueToString, safeStringify } from '../src/safe-stringify.js';
import { nowNs, splitNs, timestampToNs as toNs } from '../src/timestamp.js';
import { resolvePushUrl } from '../src/options.js';
import { encodePushRequestProtobuf as referenceEncoder } from '@loki-sdk/testing';
import { encodePushRequestProtobuf } from '../src/encode-protobuf.js';
import type { LokiEntry, StreamRef } from '../src/record.js';
import { groupByStream } from '../src/stream-groups.js';

describe('label names', () => {
  it.each([
    ['app', 'app'],
    ['service.name', 'service_name'],
    ['k8s-pod', 'k8s_pod'],
    ['1st', '_1st'],
    ['__reserved', '_reserved'],
    ['_ok', '_ok'],
    ['ünï', '_n_'],
    ['', undefined],
  ])('sanitises %j to %j', (input, expected) => {
    expect(sanitizeLabelName(input)).toBe(expected);
  });
});

describe('label values', () => {
  it.each([
    ['x', 'x'],
    [0, '0'],
    [false, 'false'],
    [12n, '12'],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
    [{ a: 1 }, '{"a":1}'],
    ['bad\uFFFD', 'bad?'],
    ['lone\uD800', 'lone?'],
    ['pair😀', 'pair😀'],
  ])('stringifies %s to %s', (input, expected) => {
    expect(labelValueToString(input)).toBe(expected);
  });

  it('cuts values over 2048 bytes on a character boundary', () => {
    const value = labelValueToString('é'.repeat(2000))!;
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(2048);
    expect(value).toBe('é'.repeat(1024));
  });

  it('escapes like Go strconv.Quote for the selector text', () => {
    expect(escapeLabelValue('a"b\\c\nd\re\tf\x01')).toBe('a\\"b\\\\c\\nd\\re\\tf\\x01');
    expect(
      canonicalLabels([
        ['b', '2'],
        ['a', 'x"y'],
      ]),
    ).toBe('{a="x\\"y", b="2"}');
    expect(canonicalLabels([])).toBe('{}');
  });

  it('truncates UTF-8 without splitting a character', () => {
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('abc', 5)).toBe('abc');
  });
});

describe('timestamps', () => {
  it('keeps nanosecond precision for every input form', () => {
    expect(toNs(1700000000123)).toBe(1700000000123000000n);
    expect(toNs(1700000000123.456)).toBe(1700000000123456000n);
    expect(toNs(new Date(1700000000123))).toBe(1700000000123000000n);
    expect(toNs(1700000000123456789n)).toBe(1700000000123456789n);
    expect(toNs('1700000000123456789')).toBe(1700000000123456789n);
    expect(toNs('2023-11-14T22:13:20.123456789Z')).toBe(1700000000123456789n);
    expect(toNs('2023-11-14T22:13:20.123Z')).toBe(1700000000123000000n);
    expect(toNs('not a time')).toBeUndefined();
    expect(toNs(Number.NaN)).toBeUndefined();
  });

  // The table of packages/core/README.md "Timestamps".
  it.each([
    [1700000000, 1700000000000000000n],
    [1700000000.5, 1700000000500000000n],
    [1700000000123, 1700000000123000000n],
    [1700000000123456, 1700000000123456000n],
    ['1700000000', 1700000000000000000n],
    ['1700000000.5', 1700000000500000000n],
    ['1700000000123', 1700000000123000000n],
    ['1700000000123456', 1700000000123456000n],
    ['1700000000123456789', 1700000000123456789n],
    ['0001700000000123', 1700000000123000000n],
    [1700000000123456789n, 1700000000123456789n],
    ['2023-11-14T22:13:20.123456789Z', 1700000000123456789n],
    ['2023-11-14T23:13:20.123+01:00', 1700000000123000000n],
    [new Date(1700000000123), 1700000000123000000n],
    ['9223372036854775807', 9223372036854775807n],
    ['946684800', 946684800000000000n],
  ])('reads %s by magnitude', (input, expected) => {
    expect(toNs(input)).toBe(expected);
  });

  it.each([
    '99999999999999999999999',
    1e300,
    -1,
    '-1700000000',
    0,
    2024,
    '2024',
    1e10,
    '9223372036854775808',
    946684799,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'yesterday',
    '1e12',
    '10:00:00',
    '1999-12-31T23:59:59Z',
    '+275760-09-13T00:00:00.000Z',
    999999999999999999999999n,
    -5n,
    new Date(Number.NaN),
    true,
    {},
    null,
  ])('%s is not a plausible time', (input) => {
    expect(toNs(input)).toBeUndefined();
  });

  it('never answers a time beyond int64 nanoseconds, at the microsecond end of the window too', () => {
    // 9_223_372_036_854_776 µs is the first double above the last µs of 2262: 9_223_372_036_854_776_000 ns overflows.
    expect(toNs(9_223_372_036_854_776)).toBeUndefined();
    expect(toNs(9_223_372_036_854_774)).toBe(9_223_372_036_854_774_000n);
  });

  it('splits into protobuf seconds and non-negative nanos', () => {
    expect(splitNs(1700000000123456789n)).toEqual({ seconds: 1700000000n, nanos: 123456789 });
    expect(splitNs(-1n)).toEqual({ seconds: -1n, nanos: 999999999 });
  });

  it('now is within a millisecond of the wall clock', () => {
    const ms = Number(nowNs() / 1_000_000n);
    expect(Math.abs(ms - Date.now())).toBeLessThanOrEqual(2);
  });
});

describe('retry policy', () => {
  it.each([
    [204, 'success'],
    [200, 'success'],
    [260, 'blocked'],
    [400, 'reject'],
    [401, 'reject'],
    [404, 'reject'],
    [413, 'reject'],
    [422, 'reject'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
  ])('status %i -> %s', (status, outcome) => {
    expect(classifyStatus(status)).toBe(outcome);
  });

  it('reads Retry-After as seconds or a date, bounded', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 5000)).toBe(5000);
    expect(parseRetryAfter('99999')).toBe(300_000);
  });

  it('backs off exponentially with jitter inside [base/2, base], capped', () => {
    expect(backoffDelayMillis(1, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelayMillis(1, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelayMillis(3, 500, 30_000, () => 1)).toBe(2000);
    expect(backoffDelayMillis(20, 500, 30_000, () => 1)).toBe(30_000);
  });
});

describe('safe stringify', () => {
  it('never throws on circular, BigInt, Error, symbol, function, undefined', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expect(safeStringify(circular)).toBe('{"a":1,"self":"[Circular]"}');
    expect(safeStringify({ n: 10n, s: Symbol('x'), f: function named() {}, u: undefined })).toBe(
      '{"n":"10","s":"Symbol(x)","f":"[Function named]"}',
    );
    const err = new TypeError('boom');
    const parsed = JSON.parse(safeStringify({ err })) as { err: { name: string; message: string; stack: string } };
    expect(parsed.err.name).toBe('TypeError');
    expect(parsed.err.message).toBe('boom');
    expect(parsed.err.stack).toContain('TypeError: boom');
    const shared = { id: 1 };
    expect(safeStringify({ a: shared, b: shared })).toBe('{"a":{"id":1},"b":{"id":1}}');
    const hostile = {
      toJSON() {
        throw new Error('nope');
      },
    };
    expect(safeStringify(hostile)).toContain('Unserializable');
  });

  it('turns metadata values into strings', () => {
    expect(metadataValueToString(100.5)).toBe('100.5');
    expect(metadataValueToString(null)).toBe('null');
    expect(metadataValueToString(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(metadataValueToString({ a: [1] })).toBe('{"a":[1]}');
  });
});

describe('URLs', () => {
  it('accepts a base URL (host) or a full push URL (url)', () => {
    expect(resolvePushUrl({ host: 'http://loki:3100' })).toBe('http://loki:3100/loki/api/v1/push');
    expect(resolvePushUrl({ host: 'http://loki:3100/' })).toBe('http://loki:3100/loki/api/v1/push');
    expect(resolvePushUrl({ host: 'https://x/prefix' })).toBe('https://x/prefix/loki/api/v1/push');
    expect(resolvePushUrl({ host: 'http://loki:3100/loki/api/v1/push' })).toBe('http://loki:3100/loki/api/v1/push');
    expect(resolvePushUrl({ url: 'https://logs.example.com/custom/push' })).toBe(
      'https://logs.example.com/custom/push',
    );
    // A url with no path gets the push path (nothing answers a push at "/"); a path is used as given.
    expect(resolvePushUrl({ url: 'https://logs.example.com' })).toBe('https://logs.example.com/loki/api/v1/push');
    expect(resolvePushUrl({ url: 'http://loki:3100/' })).toBe('http://loki:3100/loki/api/v1/push');
    expect(resolvePushUrl({ url: 'https://x/prefix' })).toBe('https://x/prefix');
    expect(() => resolvePushUrl({ host: 'loki:3100' })).toThrow(/http/);
    expect(() => resolvePushUrl({ host: 'not a url' })).toThrow(/not a valid URL/);
  });
});

describe('protobuf encoder', () => {
  const stream = (key: string): StreamRef => ({ key, labels: [], lastNs: 0n });
  const entry = (ref: StreamRef, timestampNs: bigint, line: string, metadata?: Array<[string, string]>): LokiEntry => {
    let bytes = Buffer.byteLength(line);
    for (const [name, value] of metadata ?? []) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    return { stream: ref, timestampNs, line, metadata, bytes, seq: 0 };
  };

  it("writes the same bytes as the receiver's independent encoder, ASCII fast path and UTF-8 path alike", () => {
    const a = stream('{app="a"}');
    const b = stream('{app="b", env="é"}');
    const now = 1_795_631_666_919_123_456n;
    const entries = [
      entry(a, now, '{"level":30,"msg":"plain ascii line longer than sixteen characters"}', [
        ['i', '1'],
        ['user', 'u1'],
      ]),
      entry(a, now + 1n, 'short', [['k', '']]),
      entry(b, now + 2n, 'héllo wörld', [['name', 'välue']]),
      entry(a, now + 3n, '', [['only', 'metadata']]),
      entry(b, now + 4n, 'lone surrogate \ud800 here'),
      entry(a, now + 5n, 'x'.repeat(300), [['long', 'y'.repeat(200)]]),
      entry(a, 1_700_000_000_000_000_000n, 'zero nanos'),
      entry(a, 5n, 'zero seconds'),
      entry(a, 0n, 'zero time'),
      entry(b, -1_500_000_000_123n, 'before 1970'),
      entry(a, now + 6n, 'emoji \u{1F600} line', [['e', '\u{1F600}']]),
      entry(a, now + 7n, 'latin1 \u00ff but not ascii'),
    ];
    const groups = groupByStream(entries);
    const expected = referenceEncoder(
      groups.map((g) => ({
        labels: g.stream.key,
        entries: g.entries.map((e) => ({ timestampNs: e.timestampNs, line: e.line, metadata: e.metadata ?? [] })),
      })),
    );
    expect(Buffer.from(encodePushRequestProtobuf(groups)).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
  });
});

describe('protobuf encoder, any Unicode', () => {
  const stream = (key: string): StreamRef => ({ key, labels: [], lastNs: 0n });
  const unit = fc.oneof(
    fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFD', '\u0000', '\u{1F600}', '\u{10FFFF}', 'é', 'a'),
    fc
      .integer({ min: 0, max: 0x10ffff })
      .map((cp) => (cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp))),
  );
  const text = fc.string({ unit, maxLength: 60 });
  const toEntry = (ref: StreamRef, ns: bigint, line: string, metadata: Array<[string, string]>, wrong: number) => {
    let bytes = Buffer.byteLength(line);
    for (const [n, v] of metadata) bytes += Buffer.byteLength(n) + Buffer.byteLength(v);
    const m = metadata.length > 0 ? metadata : undefined;
    // A wrong count that equals the UTF-16 length reads as ASCII: trusted, not checked (the mapper counts exactly).
    const units = line.length + metadata.reduce((n, [k, v]) => n + k.length + v.length, 0);
    if (bytes + wrong === units) wrong = 0;
    return { stream: ref, timestampNs: ns, line, metadata: m, bytes: bytes + wrong, seq: 0 } as LokiEntry;
  };

  it("random Unicode: the receiver encoder's bytes (lone surrogates as U+FFFD), even with a wrong byte count", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            text,
            fc.array(fc.tuple(text, text), { maxLength: 3 }),
            fc.bigInt({ min: 0n, max: 9_223_372_036_854_775_807n }),
            fc.constantFrom(0, 0, 0, 1, -1),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (rows) => {
          const ref = stream('{app="p"}');
          const entries = rows.map(([line, md, ns, wrong]) => toEntry(ref, ns, line, md, wrong));
          const groups = groupByStream(entries);
          const expected = referenceEncoder(
            groups.map((g) => ({
              labels: g.stream.key,
              entries: g.entries.map((e) => ({ timestampNs: e.timestampNs, line: e.line, metadata: e.metadata ?? [] })),
            })),
          );
          expect(Buffer.from(encodePushRequestProtobuf(groups)).toString('hex')).toBe(
            Buffer.from(expected).toString('hex'),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
