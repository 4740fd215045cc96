import { describe, expect, it } from 'vitest';
import { safeStringify } from '@loki-sdk/core/adapter';
import { LEVEL, LIFTED_LABELS, MESSAGE, toLokiRecord } from '../src/to-loki-record.js';
import { recordMapping, type LokiTransportOptions } from '../src/transport-options.js';

const map = (info: Record<string | symbol, unknown>, options: LokiTransportOptions = {}) =>
  toLokiRecord(info, recordMapping(options));

describe('toLokiRecord (pure): winston info -> core entry input', () => {
  it('json line: message first, then meta; level from triple-beam LEVEL, not the colorized field', () => {
    const record = map({ level: '\u001b[32minfo\u001b[39m', message: 'hi', user: 'ann', n: 1, [LEVEL]: 'info' });
    expect(record).toEqual({ level: 'info', line: '{"message":"hi","user":"ann","n":1}' });
  });

  it('label_* fields and the labels object go to core as labels and leave the line', () => {
    const record = map({
      level: 'info',
      message: 'm',
      label_app: 'api',
      labels: { env: 'prod' },
      k: 'v',
      [LEVEL]: 'info',
    });
    expect(record).toEqual({
      level: 'info',
      labels: { env: 'prod', app: 'api' },
      line: '{"message":"m","k":"v"}',
    });
  });

  it("a label_* field wins over the labels object; one making no label leaves the object's; none is written", () => {
    const labels = { env: 'prod', tier: 'gold' };
    const info = { level: 'info', message: 'm', labels, label_env: 'dev', label_tier: null, [LEVEL]: 'info' };
    expect(map(info).labels).toEqual({ env: 'dev', tier: 'gold' });
    expect(labels).toEqual({ env: 'prod', tier: 'gold' });
    expect(info.label_env).toBe('dev');
  });

  it('label fields named like Object.prototype members are own labels; no prototype is set', () => {
    const info = JSON.parse('{"level":"info","message":"m","label___proto__":"p","label_toString":"t"}') as Record<
      string,
      unknown
    >;
    const labels = map({ ...info, [LEVEL]: 'info' }).labels!;
    expect(Object.keys(labels)).toEqual(['__proto__', 'toString']);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value).toBe('p');
  });

  it('a format on the transport: the labels it lifted off the line are labels, a field over its object', () => {
    const info = {
      level: 'info',
      message: 'm',
      [LEVEL]: 'info',
      [MESSAGE]: 'INFO m',
      [LIFTED_LABELS]: { labels: { env: 'prod', app: 'x' }, fields: [['label_app', 'api']] },
    };
    expect(map(info, { format: { transform: (i: unknown) => i } as never })).toEqual({
      level: 'info',
      labels: { env: 'prod', app: 'api' },
      line: 'INFO m',
    });
  });

  it('text and metadata line formats', () => {
    const info = { level: 'warn', message: 'm', k: 'v', [LEVEL]: 'warn' };
    expect(map(info, { lineFormat: 'text' }).line).toBe('m {"k":"v"}');
    expect(map({ level: 'warn', message: 'plain', [LEVEL]: 'warn' }, { lineFormat: 'text' }).line).toBe('plain');
    // The message is the line, never read as JSON (lineIsMessage); the meta is its structured metadata.
    expect(map(info, { lineFormat: 'metadata' })).toEqual({
      level: 'warn',
      line: 'm',
      lineIsMessage: true,
      metadata: { k: 'v' },
    });
  });

  it('levelLabel: false keeps the level in the line', () => {
    expect(map({ level: 'info', message: 'm', [LEVEL]: 'info' }, { levelLabel: false })).toEqual({
      line: '{"message":"m","level":"info"}',
    });
  });

  it('a format on the transport: info[MESSAGE] is the line, meta is not added', () => {
    const record = map(
      { level: 'info', message: 'm', k: 'v', [LEVEL]: 'info', [MESSAGE]: 'INFO m k=v' },
      { format: { transform: (i: unknown) => i } as never },
    );
    expect(record).toEqual({ level: 'info', line: 'INFO m k=v' });
  });

  it('timestamp: parsed ones give the entry time and leave the line, unreadable ones stay in it', () => {
    expect(map({ level: 'info', message: 'm', timestamp: '2024-05-01T10:00:00.123Z', [LEVEL]: 'info' })).toEqual({
      level: 'info',
      timestamp: BigInt(Date.parse('2024-05-01T10:00:00.123Z')) * 1_000_000n,
      line: '{"message":"m"}',
    });
    // Core counts it and gives the entry "now".
    expect(map({ level: 'info', message: 'm', timestamp: 'teatime', [LEVEL]: 'info' })).toEqual({
      level: 'info',
      timestamp: 'teatime',
      line: '{"message":"m","timestamp":"teatime"}',
    });
    expect(
      map(
        { level: 'info', message: 'm', timestamp: '2024-05-01T10:00:00.123Z', [LEVEL]: 'info' },
        { replaceTimestamp: true },
      ).timestamp,
    ).toBeUndefined();
  });

  it('an Error as info (logger.error(err) without errors()) keeps its stack', () => {
    const err = Object.assign(new Error('boom'), { level: 'error', [LEVEL]: 'error' });
    const line = JSON.parse(map(err as never).line);
    expect(line.message).toBe('boom');
    expect(line.stack).toContain('Error: boom');
  });

  it('useWinstonMetaAsLabels with ignoredMeta', () => {
    const record = map(
      { level: 'info', message: 'm', service: 'api', secret: 's', [LEVEL]: 'info' },
      { useWinstonMetaAsLabels: true, ignoredMeta: ['secret'] },
    );
    expect(record).toEqual({ level: 'info', labels: { service: 'api' }, line: '{"message":"m","secret":"s"}' });
    // A meta field named '' names no label: metadata named `label_`, as core reads a `label_` field.
    expect(map({ level: 'info', message: 'm', '': 'x', [LEVEL]: 'info' }, { useWinstonMetaAsLabels: true })).toEqual({
      level: 'info',
      line: '{"message":"m"}',
      metadata: { label_: 'x' },
    });
  });
});

describe('safeStringify', () => {
  it('circular, BigInt, Error with cause, shared (non-circular) values', () => {
    const shared = { s: 1 };
    const o: Record<string, unknown> = {
      big: 10n,
      err: new Error('x', { cause: new Error('y') }),
      a: shared,
      b: shared,
    };
    o.self = o;
    const parsed = JSON.parse(safeStringify(o));
    expect(parsed.big).toBe('10');
    expect(parsed.self).toBe('[Circular]');
    expect(parsed.a).toEqual({ s: 1 });
    expect(parsed.b).toEqual({ s: 1 });
    expect(parsed.err.message).toBe('x');
    expect(parsed.err.stack).toContain('Error: x');
    expect(parsed.err.cause.message).toBe('y');
  });
});
