// Records whose keys are names of Object.prototype's members: every one reaches Loki, in every mode.
import { describe, expect, it } from 'vitest';
import { client, receiver } from './helpers.js';

/**
 * Field names an object literal's prototype would swallow (`k in {}` is true, `{}.__proto__ = v` sets the prototype).
 */
const PROTO_NAMES = [
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__proto__',
  'isPrototypeOf',
  '__defineGetter__',
];
/** A record with those fields as own properties (JSON.parse defines `__proto__` as an own key, as pino's lines do). */
const hostileFields = (): Record<string, unknown> =>
  JSON.parse(`{${PROTO_NAMES.map((n) => `"${n}":"v-${n}"`).join(',')}}`) as Record<string, unknown>;
const manyFields = (): Record<string, unknown> =>
  Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`f${i}`, i]));

describe('field names of Object.prototype survive', () => {
  it.each([
    [
      'metadataMode line',
      { metadataMode: 'line' as const },
      (): Record<string, unknown> => ({ message: 'm', ...hostileFields() }),
    ],
    [
      'past 128 fields (moved into the line)',
      {},
      (): Record<string, unknown> => ({ message: 'm', ...manyFields(), ...hostileFields() }),
    ],
    [
      'a JSON line merged with fields, metadataMode line',
      { metadataMode: 'line' as const },
      (): Record<string, unknown> => ({ line: JSON.stringify({ a: 1 }), ...hostileFields() }),
    ],
  ])('%s: every field is in the stored line', async (_what, options, record) => {
    const r = await receiver();
    const { client: c, errors } = client(r, options);
    const input = record();
    c.push(input);
    expect((await c.flush()).ok).toBe(true);
    expect(errors).toEqual([]);
    const [entry] = r.entries();
    const line = JSON.parse(entry!.line) as Record<string, unknown>;
    for (const name of PROTO_NAMES) {
      expect(Object.prototype.hasOwnProperty.call(line, name), name).toBe(true);
      expect(line[name]).toBe(`v-${name}`);
    }
    // The caller's object is untouched.
    expect(Object.keys(input)).toEqual(Object.keys(record()));
  });

  it.each(['protobuf', 'json', 'json-gzip'] as const)(
    'structured metadata (%s): every field is a metadata pair',
    async (encoding) => {
      const r = await receiver();
      const { client: c } = client(r, { encoding });
      c.push({ message: 'm', ...hostileFields() });
      expect((await c.flush()).ok).toBe(true);
      const request = r.requests[0]!;
      expect(request.status).toBe(204);
      const [entry] = r.entries();
      for (const name of PROTO_NAMES) {
        expect(Object.prototype.hasOwnProperty.call(entry!.metadata, name), name).toBe(true);
        expect(entry!.metadata[name]).toBe(`v-${name}`);
      }
    },
  );

  // `__proto__` as a label is `_proto__`: Loki reserves the `__` prefix (labels.ts).
  it.each(['protobuf', 'json'] as const)(
    'labels and label_ fields named like prototype members are labels (%s)',
    async (encoding) => {
      const r = await receiver();
      const { client: c } = client(r, { encoding });
      c.push({
        message: 'm',
        labels: JSON.parse('{"constructor":"c","__proto__":"p"}') as Record<string, unknown>,
        label_toString: 't',
        label_valueOf: 'v',
      });
      expect((await c.flush()).ok).toBe(true);
      const [entry] = r.entries();
      expect(Object.entries(entry!.labels)).toEqual(
        expect.arrayContaining([
          ['constructor', 'c'],
          ['_proto__', 'p'],
          ['toString', 't'],
          ['valueOf', 'v'],
        ]),
      );
    },
  );

  it("an Error's own fields named like prototype members are kept in its JSON", async () => {
    const r = await receiver();
    const { client: c } = client(r, { metadataMode: 'line' });
    const err = new Error('boom');
    for (const name of PROTO_NAMES) Object.defineProperty(err, name, { value: `v-${name}`, enumerable: true });
    c.push({ message: 'm', err });
    expect((await c.flush()).ok).toBe(true);
    const stored = (JSON.parse(r.entries()[0]!.line) as { err: Record<string, unknown> }).err;
    for (const name of PROTO_NAMES)
      expect(Object.prototype.hasOwnProperty.call(stored, name) && stored[name], name).toBe(`v-${name}`);
  });
});
