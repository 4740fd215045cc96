// Fields named like Object.prototype's members (constructor, toString, __proto__, ...) reach Loki, through
// the real pino worker.
import { describe, expect, it } from 'vitest';
import { flushLogger, lokiLogger, receiver } from './helpers.js';

const PROTO_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf'];
/** An object with those fields as own keys (JSON.parse defines `__proto__` as an own key; pino writes own keys). */
const hostile = (prefix = ''): Record<string, unknown> =>
  JSON.parse(`{${PROTO_NAMES.map((n) => `"${prefix}${n}":"v-${n}"`).join(',')}}`) as Record<string, unknown>;

function hasAll(object: Record<string, unknown>): void {
  for (const name of PROTO_NAMES) {
    expect(Object.prototype.hasOwnProperty.call(object, name), name).toBe(true);
    expect(object[name], name).toBe(`v-${name}`);
  }
}

describe('field names of Object.prototype survive', () => {
  it("lineFormat 'message': every field is a structured-metadata pair, also from metadataKey", async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { lineFormat: 'message', metadataKey: 'meta' });
    logger.info(hostile(), 'top level');
    logger.info({ meta: hostile() }, 'from the metadata key');
    await flushLogger(logger);
    const entries = r.entries();
    expect(entries.map((e) => e.line)).toEqual(['top level', 'from the metadata key']);
    for (const entry of entries) hasAll(entry.metadata);
  });

  it("lineFormat 'message' with metadataMode 'line': every field is in the line", async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { lineFormat: 'message', metadataMode: 'line' });
    logger.info(hostile(), 'm');
    await flushLogger(logger);
    hasAll(JSON.parse(r.entries()[0]!.line) as Record<string, unknown>);
  });

  it('label fields and propsToLabels named like prototype members are labels; the line keeps its other fields', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { propsToLabels: ['constructor', 'req.toString'] });
    logger.info({ ...hostile(), ...hostile('label_'), req: JSON.parse('{"toString":"rt"}') as unknown }, 'm');
    logger.info({ req: {} }, 'no own toString');
    await flushLogger(logger);
    const [first, second] = r.entries();
    // `__proto__` as a label is `_proto__`: Loki reserves the `__` prefix.
    expect(Object.entries(first!.labels)).toEqual(
      expect.arrayContaining([
        ['constructor', 'v-constructor'],
        ['_proto__', 'v-__proto__'],
        ['toString', 'v-toString'],
        ['valueOf', 'v-valueOf'],
        ['req_toString', 'rt'],
      ]),
    );
    hasAll(JSON.parse(first!.line) as Record<string, unknown>);
    // A path through an object without that own field is no label (not the inherited method).
    expect(second!.labels).not.toHaveProperty('req_toString');
  });
});
