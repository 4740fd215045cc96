// Property-based tests (fast-check) of the pino line -> record mapping: for any JSON object pino
// may write (any key, any string: lone surrogates, U+FFFD, NUL, 4-byte characters; label_* fields
// anywhere), the in-place fast path and the JSON.parse path give what the README documents: label
// fields become labels (prefix cut) and leave the line, every other field stays, nothing throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEVEL_NAMES, toLokiRecord } from '../src/to-loki-record.js';
import { mappingDefaults as config } from './helpers.js';

const anyChar = fc.oneof(
  fc.constantFrom(
    '\uD800',
    '\uDFFF',
    '\uFFFD',
    '\u0000',
    '\u{1F600}',
    '"',
    '\\',
    '\n',
    '{',
    '}',
    ',',
    ':',
    '[',
    ' ',
    'label_',
  ),
  fc
    .integer({ min: 0, max: 0x10ffff })
    .map((cp) => (cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp))),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
const anyString = (maxLength = 16): fc.Arbitrary<string> => fc.string({ unit: anyChar, maxLength });
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    anyString(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(anyString(6), tie('json'), { maxKeys: 3 }),
  ),
}));
const key = fc.oneof(
  anyString(10),
  anyString(10).map((k) => `label_${k}`),
  fc.constantFrom(
    'label_',
    'label___proto__',
    'label_constructor',
    '__proto__',
    'constructor',
    'toString',
    'msg',
    'err',
  ),
);
const fields = fc
  .uniqueArray(fc.tuple(key, json), { selector: ([k]) => k, maxLength: 8 })
  .filter((f) => f.every(([k]) => k !== 'level' && k !== 'time'));

const isLabelField = (k: string): boolean => k.length > 'label_'.length && k.startsWith('label_');
/** An object with these own keys (`__proto__` too), as JSON.parse would make it. */
const objectOf = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
};
/** JSON text of a value, re-serialized from a parse: equal texts mean equal JSON data. */
const canonical = (value: unknown): string => JSON.stringify(JSON.parse(JSON.stringify(value)));
const sortedEntries = (o: Record<string, unknown>): string =>
  canonical(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

describe('property: any pino line maps as documented', () => {
  it('label_* fields become labels and leave the line; the rest stays; level and time are read (fast path and full path)', () => {
    const time = Date.now();
    fc.assert(
      fc.property(
        fields,
        fc.constantFrom('pino', 'reordered', 'spaced'),
        fc.constantFrom(10, 30, 50, 60),
        (f, shape, level) => {
          const body = objectOf(f);
          const text =
            shape === 'pino'
              ? `{"level":${level},"time":${time}${f.length > 0 ? ',' : ''}${JSON.stringify(body).slice(1)}`
              : shape === 'reordered'
                ? JSON.stringify(objectOf([...f, ['level', level], ['time', time]]))
                : JSON.stringify(objectOf([['level', level], ['time', time], ...f]), null, 2);
          const record = toLokiRecord(text, config)!;
          expect(record.level).toBe(DEFAULT_LEVEL_NAMES[level]);
          expect(record.timestamp).toBe(time);
          const labels = f.filter(([k]) => isLabelField(k)).map(([k, v]) => [k.slice('label_'.length), v] as const);
          if (labels.length === 0) expect(record.labels).toBeUndefined();
          else expect(sortedEntries(record.labels!)).toBe(sortedEntries(objectOf(labels)));
          const line = JSON.parse(record.line) as Record<string, unknown>;
          const kept = objectOf([['level', level], ['time', time], ...f.filter(([k]) => !isLabelField(k))]);
          expect(sortedEntries(line)).toBe(sortedEntries(kept));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("lineFormat 'message': the message is the line, every other field is metadata", () => {
    fc.assert(
      fc.property(fields, anyString(30), (f, msg) => {
        const entries = f.filter(([k]) => k !== 'msg');
        const text = JSON.stringify(objectOf([['level', 30], ['time', 1], ...entries, ['msg', msg]]));
        const record = toLokiRecord(text, { ...config, lineFormat: 'message' })!;
        expect(record.line).toBe(msg);
        const metadata = entries.filter(([k]) => !isLabelField(k));
        expect(sortedEntries(record.metadata as Record<string, unknown>)).toBe(sortedEntries(objectOf(metadata)));
      }),
      { numRuns: 300 },
    );
  });

  it('any text at all: never throws; what is not a JSON object is the line as it came', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString(60),
          json.map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const record = toLokiRecord(text, config);
          if (text.trim() === '') expect(record).toBeUndefined();
          else if (!text.trim().startsWith('{')) expect(record).toEqual({ line: text });
        },
      ),
      { numRuns: 500 },
    );
  });
});
