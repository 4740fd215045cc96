// Property-based tests (fast-check) of the winston info -> record mapping: any meta (any key, any
// string: lone surrogates, U+FFFD, NUL, 4-byte characters; label_* fields), in every line format,
// gives what the README documents, and the worker's copy (the info as JSON) maps the same.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEVEL, toLokiRecord } from '../src/to-loki-record.js';
import { recordMapping, type LineFormat } from '../src/transport-options.js';
import { plainInfoJson, recordFromWire } from '../src/wire-entry.js';

const anyChar = fc.oneof(
  fc.constantFrom('\uD800', '\uDFFF', '\uFFFD', '\u0000', '\u{1F600}', '"', '\\', '\n', '{', ' ', 'label_'),
  fc
    .integer({ min: 0, max: 0x10ffff })
    .map((cp) => (cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp))),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
const anyString = (maxLength = 16): fc.Arbitrary<string> => fc.string({ unit: anyChar, maxLength });
/** Plain values (what crosses to the worker as the info's own JSON) and nested JSON values. */
const plain = fc.oneof(
  anyString(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const nested = fc.oneof(fc.array(plain, { maxLength: 3 }), fc.dictionary(anyString(6), plain, { maxKeys: 3 }));
const key = fc.oneof(
  anyString(10),
  anyString(10).map((k) => `label_${k}`),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'label___proto__', 'label_'),
);
const RESERVED = new Set(['level', 'message', 'timestamp', 'labels']);
const meta = (values: fc.Arbitrary<unknown>) =>
  fc
    .uniqueArray(fc.tuple(key, values), { selector: ([k]) => k, maxLength: 8 })
    .filter((f) => f.every(([k]) => !RESERVED.has(k)));

const isLabelField = (k: string): boolean => k.length > 'label_'.length && k.startsWith('label_');
const objectOf = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string | symbol, unknown> => {
  const out: Record<string | symbol, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
};
const canonical = (value: unknown): string => JSON.stringify(JSON.parse(JSON.stringify(value)));
const sortedEntries = (o: object): string =>
  canonical(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function infoOf(f: ReadonlyArray<readonly [string, unknown]>, message: string): Record<string | symbol, unknown> {
  const info = objectOf([['level', 'info'], ['message', message], ...f]);
  info[LEVEL] = 'info';
  return info;
}

describe('property: any info maps as documented', () => {
  it.each(['json', 'text', 'metadata'] as LineFormat[])(
    'lineFormat %s: label_* fields are labels, every other field is in the line (or metadata)',
    (lineFormat) => {
      const mapping = recordMapping({ lineFormat });
      fc.assert(
        fc.property(meta(fc.oneof(plain, nested)), anyString(30), (f, message) => {
          const record = toLokiRecord(infoOf(f, message), mapping);
          expect(record.level).toBe('info');
          const labels = f.filter(([k]) => isLabelField(k));
          // The entry's labels are the label fields, named without `label_`.
          expect(sortedEntries(record.labels ?? {})).toBe(
            sortedEntries(objectOf(labels.map(([k, v]) => [k.slice('label_'.length), v] as const))),
          );
          const rest = f.filter(([k]) => !isLabelField(k));
          if (lineFormat === 'json') {
            expect(sortedEntries(JSON.parse(record.line) as object)).toBe(
              sortedEntries(objectOf([['message', message], ...rest])),
            );
          } else if (lineFormat === 'text') {
            expect(record.line.startsWith(message)).toBe(true);
            if (rest.length === 0) expect(record.line).toBe(message);
            else
              expect(sortedEntries(JSON.parse(record.line.slice(message.length + 1)) as object)).toBe(
                sortedEntries(objectOf(rest)),
              );
          } else {
            expect(record.line).toBe(message);
            expect(record.lineIsMessage).toBe(true);
            expect(sortedEntries(record.metadata ?? {})).toBe(sortedEntries(objectOf(rest)));
          }
        }),
        { numRuns: 300 },
      );
    },
  );

  it.each(['json', 'metadata'] as LineFormat[])(
    'lineFormat %s: the worker maps the info it gets as JSON exactly as the main thread would',
    (lineFormat) => {
      const mapping = recordMapping({ lineFormat });
      fc.assert(
        fc.property(meta(plain), anyString(30), (f, message) => {
          const info = infoOf(f, message);
          const wire = plainInfoJson(info, false);
          expect(wire).toBeDefined();
          const inWorker = recordFromWire(wire!, false, mapping);
          const inThread = toLokiRecord(info, mapping);
          expect(sortedEntries(inWorker)).toBe(sortedEntries(inThread));
          if (inThread.line !== undefined) expect(inWorker.line).toBe(inThread.line);
        }),
        { numRuns: 300 },
      );
    },
  );
});
