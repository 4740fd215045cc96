import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLokiReceiver, type LokiReceiver } from '../src/index.js';
import { push, tsAgo, type PushBody, responseJson, NO_DISCOVERY } from './helpers.js';

function body(line: string, app = 'x'): PushBody {
  return { streams: [{ stream: { app }, values: [[tsAgo(), line]] }] };
}

describe('auth enabled', () => {
  let receiver: LokiReceiver;
  beforeAll(async () => {
    receiver = await createLokiReceiver({ ...NO_DISCOVERY, authEnabled: true });
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => {
    receiver.clear();
  });

  it('answers 401 "no org id" without X-Scope-OrgID, and for an empty one', async () => {
    const missing = await push(receiver.pushUrl, 'json', body('no tenant'));
    expect(missing.status).toBe(401);
    expect(missing.body).toBe('no org id\n');
    const empty = await push(receiver.pushUrl, 'protobuf+snappy', body('empty tenant'), { 'X-Scope-OrgID': '' });
    expect(empty.status).toBe(401);
    expect(receiver.entries()).toEqual([]);
    expect(receiver.requests.map((r) => [r.status, r.tenant, r.entriesReceived])).toEqual([
      [401, undefined, 1],
      [401, undefined, 1],
    ]);
  });

  it.each([
    ['team a', "tenant ID 'team a' contains unsupported character ' '"],
    ['a/b', "tenant ID 'a/b' contains unsupported character '/'"],
    ['x'.repeat(151), 'tenant ID is too long: max 150 characters'],
    ['.', "tenant ID is '.' or '..'"],
    ['..', "tenant ID is '.' or '..'"],
    ['a|b', 'multiple org IDs present'],
  ])('answers 400 for the invalid tenant %j', async (tenant, message) => {
    const res = await push(receiver.pushUrl, 'json', body('bad tenant'), { 'X-Scope-OrgID': tenant });
    expect(res.status).toBe(400);
    expect(res.body).toBe(`${message}\n`);
    expect(receiver.entries()).toEqual([]);
  });

  it("accepts all of Loki's allowed tenant characters and a repeated a|a", async () => {
    const tenant = "Az09!-_.*'()";
    expect((await push(receiver.pushUrl, 'json', body('odd tenant'), { 'X-Scope-OrgID': tenant })).status).toBe(204);
    expect((await push(receiver.pushUrl, 'json', body('same twice'), { 'X-Scope-OrgID': 'a|a' })).status).toBe(204);
    expect(
      (await push(receiver.pushUrl, 'json', body('max length'), { 'X-Scope-OrgID': 'x'.repeat(150) })).status,
    ).toBe(204);
    expect(receiver.entries(undefined, { tenant }).map((e) => e.line)).toEqual(['odd tenant']);
    expect(receiver.entries(undefined, { tenant: 'a' }).map((e) => e.line)).toEqual(['same twice']);
  });

  it('isolates tenants: same stream, same entry, stored once per tenant', async () => {
    const ts = tsAgo();
    const same: PushBody = { streams: [{ stream: { app: 'shared' }, values: [[ts, 'same line']] }] };
    expect((await push(receiver.pushUrl, 'json', same, { 'X-Scope-OrgID': 'team-a' })).status).toBe(204);
    expect((await push(receiver.pushUrl, 'protobuf+snappy', same, { 'X-Scope-OrgID': 'team-b' })).status).toBe(204);
    expect((await push(receiver.pushUrl, 'json', same, { 'X-Scope-OrgID': 'team-a' })).status).toBe(204);
    expect(receiver.entries().map((e) => [e.tenant, e.line])).toEqual([
      ['team-a', 'same line'],
      ['team-b', 'same line'],
    ]);
    expect(receiver.entries('{app="shared"}', { tenant: 'team-b' })).toHaveLength(1);
    expect(
      receiver.streams(undefined, { tenant: 'team-a' }).map((s) => [s.tenant, s.stream, s.entries.length]),
    ).toEqual([['team-a', '{app="shared"}', 1]]);
    expect(receiver.requests.map((r) => r.tenant)).toEqual(['team-a', 'team-b', 'team-a']);
  });

  it('requires the tenant header on query_range too', async () => {
    await push(receiver.pushUrl, 'json', body('queried'), { 'X-Scope-OrgID': 'q' });
    const url = `${receiver.url}/loki/api/v1/query_range?query=${encodeURIComponent('{app="x"}')}`;
    expect((await fetch(url)).status).toBe(401);
    const other = await responseJson(fetch(url, { headers: { 'X-Scope-OrgID': 'other' } }));
    expect(other.data.result).toEqual([]);
    const mine = await responseJson(fetch(url, { headers: { 'X-Scope-OrgID': 'q' } }));
    expect(mine.data.result[0].values[0][1]).toBe('queried');
  });
});

describe('auth disabled (default)', () => {
  it('ignores X-Scope-OrgID and stores everything under tenant "fake"', async () => {
    const receiver = await createLokiReceiver(NO_DISCOVERY);
    try {
      const res = await push(receiver.pushUrl, 'json', body('ignored header'), { 'X-Scope-OrgID': 'foo' });
      expect(res.status).toBe(204);
      const bad = await push(receiver.pushUrl, 'json', body('invalid header is ignored too'), {
        'X-Scope-OrgID': 'a b|c',
      });
      expect(bad.status).toBe(204);
      expect(receiver.entries().map((e) => e.tenant)).toEqual(['fake', 'fake']);
      expect(receiver.entries(undefined, { tenant: 'foo' })).toEqual([]);
      expect(receiver.requests[0]?.headers['x-scope-orgid']).toBe('foo');
    } finally {
      await receiver.close();
    }
  });
});
