import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLokiReceiver, type LokiReceiver } from '../src/index.js';
import { ENCODING_NAMES, push, tsAgo, responseJson } from './helpers.js';

describe('defaults: discovery on, as in Loki', () => {
  it('adds service_name and detected_level; an empty label set is stored as unknown_service', async () => {
    const receiver = await createLokiReceiver();
    try {
      const res = await push(receiver.pushUrl, 'json', {
        streams: [{ stream: { app: 'x' }, values: [[tsAgo(), 'level=error boom']] }],
      });
      expect(res.status).toBe(204);
      expect(receiver.entries()[0]).toMatchObject({
        labels: { app: 'x', service_name: 'x' },
        stream: '{app="x", service_name="x"}',
        metadata: { detected_level: 'error' },
      });
      const empty = await push(receiver.pushUrl, 'json', {
        streams: [{ stream: {}, values: [[tsAgo(), 'no labels']] }],
      });
      expect(empty.status).toBe(204);
      expect(receiver.entries({ service_name: 'unknown_service' }).map((e) => e.line)).toEqual(['no labels']);
    } finally {
      await receiver.close();
    }
  });
});

describe('discoverServiceName', () => {
  let receiver: LokiReceiver;
  beforeAll(async () => {
    receiver = await createLokiReceiver({ discoverServiceName: true });
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => {
    receiver.clear();
  });

  it.each(ENCODING_NAMES)('derives service_name from the first present discovery label (%s)', async (encoding) => {
    const ts = tsAgo();
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        { stream: { app: 'shop', env: 'prod' }, values: [[ts, 'from app']] },
        { stream: { job: 'batch', container: 'runner' }, values: [[ts, 'container before job']] },
        { stream: { foo: 'bar' }, values: [[ts, 'nothing to derive from']] },
        { stream: { service_name: 'explicit', app: 'ignored' }, values: [[ts, 'kept']] },
        { stream: {}, values: [[ts, 'empty label set']] },
      ],
    });
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => [e.line, e.stream])).toEqual([
      ['from app', '{app="shop", env="prod", service_name="shop"}'],
      ['container before job', '{container="runner", job="batch", service_name="runner"}'],
      ['nothing to derive from', '{foo="bar", service_name="unknown_service"}'],
      ['kept', '{app="ignored", service_name="explicit"}'],
      ['empty label set', '{service_name="unknown_service"}'],
    ]);
    expect(receiver.entries('{service_name="shop"}')[0]?.labels).toEqual({
      app: 'shop',
      env: 'prod',
      service_name: 'shop',
    });
  });

  it('does not count service_name towards the 15-label limit, and shows it in messages', async () => {
    const fifteen: Record<string, string> = {};
    for (let i = 0; i < 15; i++) fifteen[`l${String(i).padStart(2, '0')}`] = 'v';
    const sixteen = { ...fifteen, l15: 'v' };
    const res = await push(receiver.pushUrl, 'json', {
      streams: [
        { stream: fifteen, values: [[tsAgo(), 'fifteen plus service_name']] },
        { stream: sixteen, values: [[tsAgo(), 'sixteen']] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(
      /^entry for stream '\{l00="v", .*, l15="v", service_name="unknown_service"\}' has 16 label names; limit 15\n$/,
    );
    expect(receiver.entries().map((e) => e.line)).toEqual(['fifteen plus service_name']);
    expect(Object.keys(receiver.entries()[0]!.labels)).toHaveLength(16);
  });
});

describe('discoverLogLevels', () => {
  let receiver: LokiReceiver;
  beforeAll(async () => {
    receiver = await createLokiReceiver({ discoverLogLevels: true, discoverServiceName: true });
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => {
    receiver.clear();
  });

  it.each(ENCODING_NAMES)('appends detected_level to every accepted entry (%s)', async (encoding) => {
    const ts = tsAgo();
    const res = await push(receiver.pushUrl, encoding, {
      streams: [
        {
          stream: { app: 'a', level: 'Notice' },
          values: [[ts, 'label wins, copied verbatim', { severity: 'ignored' }]],
        },
        {
          stream: { app: 'b' },
          values: [
            [ts, 'metadata is next', { severity: 'High' }],
            [tsAgo(0, 1n), '{"msg":"json","level":"ERR"}'],
            [tsAgo(0, 2n), '  {"lvl":"warning", "n": 1}  '],
            [tsAgo(0, 3n), 'ts=1 msg="x" LVL=dbg'],
            [tsAgo(0, 4n), 'key=value level=verbose but ERROR here'],
            [tsAgo(0, 5n), 'INFO: started'],
            [tsAgo(0, 6n), 'oops err: broken'],
            [tsAgo(0, 7n), 'plain text'],
            [tsAgo(0, 8n), 'otlp', { severity_number: '17' }],
          ],
        },
      ],
    });
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => [e.line.trim(), e.metadata.detected_level])).toEqual([
      ['label wins, copied verbatim', 'Notice'],
      ['metadata is next', 'High'],
      ['{"msg":"json","level":"ERR"}', 'error'],
      ['{"lvl":"warning", "n": 1}', 'warn'],
      ['ts=1 msg="x" LVL=dbg', 'debug'],
      ['key=value level=verbose but ERROR here', 'error'],
      ['INFO: started', 'info'],
      ['oops err: broken', 'error'],
      ['plain text', 'unknown'],
      ['otlp', 'error'],
    ]);
    expect(receiver.entries()[0]?.metadata).toEqual({ severity: 'ignored', detected_level: 'Notice' });
  });

  it('excludes detected_level from the structured-metadata size limit', async () => {
    const res = await push(receiver.pushUrl, 'protobuf+snappy', {
      streams: [{ stream: { app: 'x' }, values: [[tsAgo(), 'info line', { big: 'x'.repeat(65533) }]] }],
    });
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]?.metadata.detected_level).toBe('info');
  });

  it('shows service_name and detected_level in query_range stream labels', async () => {
    await push(receiver.pushUrl, 'json', { streams: [{ stream: { app: 'q' }, values: [[tsAgo(), 'error: failed']] }] });
    const res = await fetch(`${receiver.url}/loki/api/v1/query_range?query=${encodeURIComponent('{app="q"}')}`);
    const json = await responseJson(res);
    expect(json.data.result[0].stream).toEqual({ app: 'q', detected_level: 'error', service_name: 'q' });
  });
});
