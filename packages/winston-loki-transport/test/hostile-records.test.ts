// Fields named like Object.prototype's members (constructor, toString, __proto__, ...) reach Loki in every line format.
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { LokiTransport, type LokiTransportOptions } from '../src/index.js';
import { closeAfter, receiver } from './helpers.js';

const PROTO_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf'];
/** An info with those fields as own keys (JSON.parse defines `__proto__` as an own key). */
const hostileInfo = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
  Object.assign(
    JSON.parse(`{"level":"info","message":"m",${PROTO_NAMES.map((n) => `"${n}":"v-${n}"`).join(',')}}`) as Record<
      string,
      unknown
    >,
    extra,
  );
const manyFields = (): Record<string, unknown> =>
  Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`f${i}`, i]));

function hasAll(object: Record<string, unknown>): void {
  for (const name of PROTO_NAMES) {
    expect(Object.prototype.hasOwnProperty.call(object, name), name).toBe(true);
    expect(object[name], name).toBe(`v-${name}`);
  }
}

describe('field names of Object.prototype survive', () => {
  for (const worker of [true, false]) {
    const where = worker ? 'worker' : 'in-thread';
    it.each([
      ['json', {}, {}],
      ['json, past 128 fields', {}, manyFields()],
      ['json, an object value (mapped in the main thread)', {}, { nested: { a: 1 } }],
      ['metadata, past 128 fields (moved into the line)', { lineFormat: 'metadata' }, manyFields()],
    ] as Array<[string, LokiTransportOptions, Record<string, unknown>]>)(
      `${where}, lineFormat %s: every field is in the line`,
      async (_what, options, extra) => {
        const r = await receiver();
        const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false, worker, ...options }));
        const logger = winston.createLogger({ transports: [transport] });
        logger.log(hostileInfo(extra) as winston.LogEntry);
        expect((await transport.flush()).ok).toBe(true);
        const line = JSON.parse(r.entries()[0]!.line) as Record<string, unknown>;
        hasAll(line);
      },
    );

    it(`${where}, lineFormat metadata past 128 fields: a message that looks like JSON is wrapped, not merged into`, async () => {
      const r = await receiver();
      const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false, worker, lineFormat: 'metadata' }));
      const logger = winston.createLogger({ transports: [transport] });
      // The info's own JSON to the worker, and (an object value) its entry input mapped on this thread.
      logger.info('{"a":1}', manyFields());
      logger.info('{"a":2}', { ...manyFields(), nested: { b: 1 } });
      expect((await transport.flush()).ok).toBe(true);
      const lines = r.entries().map((e) => JSON.parse(e.line) as Record<string, unknown>);
      expect(lines.map((l) => [l.message, l.a, l.f129])).toEqual([
        ['{"a":1}', undefined, '129'],
        ['{"a":2}', undefined, '129'],
      ]);
      expect(r.entries().every((e) => Object.keys(e.metadata).length === 0)).toBe(true);
    });

    it(`${where}, lineFormat metadata: every field is a structured-metadata pair`, async () => {
      const r = await receiver();
      const transport = closeAfter(new LokiTransport({ host: r.url, exitHook: false, worker, lineFormat: 'metadata' }));
      const logger = winston.createLogger({ transports: [transport] });
      logger.log(hostileInfo({ nested: { a: 1 } }) as winston.LogEntry);
      logger.log(hostileInfo() as winston.LogEntry);
      expect((await transport.flush()).ok).toBe(true);
      const entries = r.entries();
      expect(entries).toHaveLength(2);
      for (const entry of entries) hasAll(entry.metadata);
    });
  }
});
