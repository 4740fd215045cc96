// Property-based tests (fast-check) of the record mapping and both encoders, end to end through the
// receiver: any JSON-compatible record, any string (lone surrogates, U+FFFD, NUL, 4-byte characters),
// any timestamp form, any label name. Nothing throws, and Loki stores exactly what the mapping
// documents (core README "Mapping"). Bounded runs: the whole file stays well under 20 s.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLokiClient, type LokiRecord } from '../src/index.js';
import {
  labelValueToString,
  LABEL_FIELD_PREFIX,
  messageToLine,
  metadataName,
  metadataValueToString,
  type LokiEncoding,
} from '../src/adapter-entry.js';
import { sanitizeLabelName } from '../src/labels.js';
import { client, receiver } from './helpers.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);

/** One UTF-16 unit or code point of any kind: lone surrogates, U+FFFD, NUL, 4-byte characters, quotes, separators. */
const anyChar = fc.oneof(
  fc.constantFrom(
    '\uD800',
    '\uDBFF',
    '\uDC00',
    '\uDFFF',
    '\uFFFD',
    '\u0000',
    '\u{1F600}',
    '\u{10FFFF}',
    '\u2028',
    '"',
    '\\',
    '\n',
    '\r',
    '{',
    '.',
    '-',
    ' ',
    '_',
    'é',
  ),
  fc
    .integer({ min: 0, max: 0x10ffff })
    .map((cp) => (cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp))),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
const anyString = (maxLength = 24): fc.Arbitrary<string> => fc.string({ unit: anyChar, maxLength });

/** Any JSON-compatible value built of such strings (finite numbers; no undefined). */
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyString(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(anyString(8), tie('json'), { maxKeys: 4 }),
  ),
}));

const RESERVED = new Set(['line', 'message', 'level', 'timestamp', 'labels', 'metadata']);
/** Record fields: any names (but the reserved ones and label_* fields), unique as Loki stores them. */
const fieldName = fc.oneof(
  anyString(12),
  fc.constantFrom('constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'a.b', '0', '_x', '__x'),
);
const fields = fc.uniqueArray(
  fc
    .tuple(fieldName, json)
    .filter(([k]) => !RESERVED.has(k) && !k.startsWith(LABEL_FIELD_PREFIX) && metadataName(k) !== undefined),
  { selector: ([k]) => metadataName(k), maxLength: 10 },
);
/** Labels given in `labels`: any names and values (at most 8, so Loki's 15 are never reached). */
const labels = fc.array(fc.tuple(fieldName, fc.oneof(anyString(), fc.integer(), fc.boolean(), fc.constant(null))), {
  maxLength: 8,
});

const DAY_NS = 86_400_000_000_000n;
/**
 * Every timestamp form, with the time it documents (ns), or undefined for a form that is no time
 * (the entry then gets the time it was pushed). Times within the last 6 days: Loki keeps a week.
 */
const timestamps: fc.Arbitrary<{ value: unknown; ns: bigint | undefined }> = fc
  .bigInt({ min: 60_000_000_000n, max: 6n * DAY_NS })
  .chain((ago) => {
    const ns = BigInt(Date.now()) * 1_000_000n - ago;
    const ms = ns / 1_000_000n;
    const iso = new Date(Number(ms)).toISOString();
    return fc.constantFrom(
      { value: ns, ns },
      { value: ns.toString(), ns },
      { value: Number(ms), ns: ms * 1_000_000n },
      { value: ms.toString(), ns: ms * 1_000_000n },
      { value: Number(ns / 1_000_000_000n), ns: (ns / 1_000_000_000n) * 1_000_000_000n },
      { value: Number(ns / 1000n), ns: (ns / 1000n) * 1000n },
      { value: new Date(Number(ms)), ns: ms * 1_000_000n },
      { value: iso, ns: ms * 1_000_000n },
      { value: iso.replace('Z', `${(ns % 1_000_000n).toString().padStart(6, '0')}Z`), ns },
      { value: iso.replace('Z', '+00:00'), ns: ms * 1_000_000n },
      { value: 'yesterday', ns: undefined },
      { value: '', ns: undefined },
      { value: 0, ns: undefined },
      { value: -1, ns: undefined },
      { value: 1e300, ns: undefined },
      { value: { t: 1 }, ns: undefined },
      { value: [Number(ms)], ns: undefined },
      { value: true, ns: undefined },
      { value: undefined, ns: undefined },
    );
  });

const records = fc.record({
  message: fc.oneof(anyString(40), json),
  level: fc.constantFrom(undefined, 'info', 'warn', 'error'),
  fields,
  labels,
  time: timestamps,
});
type Generated = typeof records extends fc.Arbitrary<infer T> ? T : never;

function toRecord(g: Generated): LokiRecord {
  // Own keys whatever their names (JSON-style definition: `__proto__` is a key, not the prototype).
  const record: LokiRecord = {};
  for (const [k, v] of g.fields)
    Object.defineProperty(record, k, { value: v, enumerable: true, writable: true, configurable: true });
  record.message = g.message;
  if (g.level !== undefined) record.level = g.level;
  if (g.labels.length > 0) record.labels = Object.fromEntries(g.labels);
  if (g.time.value !== undefined) record.timestamp = g.time.value as LokiRecord['timestamp'];
  return record;
}

/** Entries sorted by key (a default sort would turn values, `{ toString: '' }` among them, into text). */
const byKey = (entries: Array<[string, unknown]>): Array<[string, unknown]> =>
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const wellFormed = (text: string): string => (text as unknown as { toWellFormed(): string }).toWellFormed();
/**
 * A structured-metadata value as Loki 3.4.6 stores it: U+FFFD replaced by a space (its distributor's
 * sanitising); sent as JSON, still JSON-escaped (core README "encoding": fixed only in Loki 3.6).
 */
function asLokiStoresMetadata(text: string, encoding: LokiEncoding): string {
  const sent = wellFormed(text);
  const stored = encoding === 'protobuf' ? sent : JSON.stringify(sent).slice(1, -1);
  return stored.replaceAll('\uFFFD', ' ');
}

/**
 * The stream labels the mapping documents: static < level < labels object (a later one wins), names
 * sanitised, empty values dropped.
 */
function expectedLabels(run: string, g: Generated): Record<string, string> {
  const out = new Map<string, string>([['prop_run', run]]);
  const add = (name: string, value: unknown): void => {
    const n = sanitizeLabelName(name);
    const v = labelValueToString(value);
    if (n !== undefined && v !== undefined) out.set(n, v);
  };
  if (g.level !== undefined) add('level', g.level);
  for (const [name, value] of Object.entries(Object.fromEntries(g.labels))) add(name, value);
  return Object.fromEntries(out);
}

/** Pushes one record through a fresh client; returns what Loki stored and when it was pushed. */
async function roundTrip(
  r: Awaited<ReturnType<typeof receiver>>,
  run: string,
  g: Generated,
  encoding: LokiEncoding,
  metadataMode: 'structured' | 'line',
) {
  const { client: c, errors } = client(r, { encoding, metadataMode, labels: { prop_run: run } });
  const before = BigInt(Date.now() - 1) * 1_000_000n;
  c.push(toRecord(g));
  const result = await c.flush({ timeoutMillis: 10_000 });
  const after = BigInt(Date.now() + 1) * 1_000_000n;
  await c.close();
  expect(errors.map((e) => e.message)).toEqual([]);
  expect(result).toMatchObject({ ok: true, acknowledged: 1 });
  const stored = r.entries({ prop_run: run });
  expect(stored).toHaveLength(1);
  const entry = stored[0]!;
  if (g.time.ns !== undefined) expect(entry.timestampNs).toBe(g.time.ns);
  else {
    expect(entry.timestampNs >= before && entry.timestampNs <= after).toBe(true);
    expect(c.stats()).toBeDefined();
  }
  return entry;
}

// Label names that would replace the run's own label, which finds the entry again.
const ownRun = (g: Generated): boolean => g.labels.every(([n]) => sanitizeLabelName(n) !== 'prop_run');

describe('property: any record reaches Loki as the mapping documents', () => {
  for (const encoding of ['protobuf', 'json', 'json-gzip'] as const) {
    it(`structured metadata, ${encoding}`, async () => {
      const r = await receiver();
      let n = 0;
      await fc.assert(
        fc.asyncProperty(records.filter(ownRun), async (g) => {
          const run = `s${encoding}${n++}`;
          const entry = await roundTrip(r, run, g, encoding, 'structured');
          expect(entry.labels).toEqual(expectedLabels(run, g));
          expect(entry.line).toBe(wellFormed(messageToLine(g.message)));
          const metadata = Object.fromEntries(
            g.fields.map(([k, v]) => [metadataName(k)!, asLokiStoresMetadata(metadataValueToString(v), encoding)]),
          );
          expect(byKey(Object.entries(entry.metadata))).toEqual(byKey(Object.entries(metadata)));
        }),
        { numRuns: RUNS },
      );
    }, 30_000);

    it(`metadataMode line, ${encoding}`, async () => {
      const r = await receiver();
      let n = 0;
      await fc.assert(
        fc.asyncProperty(records.filter(ownRun), async (g) => {
          const run = `l${encoding}${n++}`;
          const entry = await roundTrip(r, run, g, encoding, 'line');
          expect(entry.labels).toEqual(expectedLabels(run, g));
          expect(entry.metadata).toEqual({});
          if (g.fields.length === 0) {
            expect(entry.line).toBe(wellFormed(messageToLine(g.message)));
            return;
          }
          // The line is JSON of the message then every field, by its own name: JSON's escapes keep
          // even lone surrogates, so it parses back to exactly what was logged.
          const parsed = JSON.parse(entry.line) as Record<string, unknown>;
          const expected = JSON.parse(JSON.stringify([['message', messageToLine(g.message)], ...g.fields])) as unknown;
          // (Sorted: a JS object, the line's and the parsed one, puts integer-like keys first.)
          expect(byKey(Object.entries(parsed))).toEqual(byKey(expected as Array<[string, unknown]>));
        }),
        { numRuns: RUNS },
      );
    }, 30_000);
  }
});

describe('property: push never throws', () => {
  it('any value as a record, a field, a label, a time or a message', () => {
    const c = createLokiClient({
      host: 'http://127.0.0.1:1',
      exitHook: false,
      offlineBuffer: false,
      bufferMaxEntries: 100,
      onError: () => {},
    });
    const anything = fc.anything({
      maxDepth: 2,
      maxKeys: 6,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withBoxedValues: true,
    });
    const record = fc.record(
      {
        message: anything,
        timestamp: anything,
        labels: anything,
        metadata: anything,
        level: anything,
        line: anything,
        label_x: anything,
        x: anything,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(anything, record), (value) => {
        c.push(value as LokiRecord); // a throw fails the property
      }),
      { numRuns: 300 },
    );
    expect(c.stats().entriesPushed).toBe(300);
    void c.close();
  });
});
