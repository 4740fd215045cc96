import { describe, expect, it } from 'vitest';
import type { LokiReceiver } from '../src/index.js';
import { nsAgo, push, tsAgo, type PushBody, responseJson, sharedReceiver } from './helpers.js';

let receiver: LokiReceiver;
sharedReceiver((r) => (receiver = r));

async function seed(): Promise<void> {
  const res = await push(receiver.pushUrl, 'protobuf+snappy', {
    streams: [
      {
        stream: { app: 'api', level: 'error' },
        values: [
          [tsAgo(3000), 'api error 1'],
          [tsAgo(1000), 'api error 2'],
        ],
      },
      { stream: { app: 'api', level: 'info' }, values: [[tsAgo(2000), 'api info']] },
      {
        stream: { app: 'web', level: 'errors', env: 'prod' },
        values: [[tsAgo(1500), 'web errors', { trace_id: 't1' }]],
      },
      { stream: { app: 'worker', level: 'warn\nmultiline' }, values: [[tsAgo(500), 'worker warn']] },
    ],
  });
  expect(res.status).toBe(204);
}

describe('entries() and streams() selectors', () => {
  it.each([
    [undefined, ['api error 1', 'api error 2', 'api info', 'web errors', 'worker warn']],
    ['{}', ['api error 1', 'api error 2', 'api info', 'web errors', 'worker warn']],
    ['{app="api"}', ['api error 1', 'api error 2', 'api info']],
    ['{app="api", level="info"}', ['api info']],
    ['{app!="api"}', ['web errors', 'worker warn']],
    ['{level=~"err.*"}', ['api error 1', 'api error 2', 'web errors']],
    ['{level=~"err"}', []],
    ['{level=~"error|info"}', ['api error 1', 'api error 2', 'api info']],
    ['{level!~"err.*"}', ['api info', 'worker warn']],
    ['{level=~"warn.multiline"}', ['worker warn']],
    ['{level=~"(?i)ERROR"}', ['api error 1', 'api error 2']],
    ['{env=""}', ['api error 1', 'api error 2', 'api info', 'worker warn']],
    ['{env!=""}', ['web errors']],
    ['{env=~".*", app=`web`}', ['web errors']],
    [{ app: 'api', level: 'error' }, ['api error 1', 'api error 2']],
    [{}, ['api error 1', 'api error 2', 'api info', 'web errors', 'worker warn']],
  ])('entries(%j) returns the matching entries in storage order', async (selector, lines) => {
    await seed();
    expect(receiver.entries(selector).map((e) => e.line)).toEqual(lines);
  });

  it('groups streams with their entries', async () => {
    await seed();
    const streams = receiver.streams('{app="api"}');
    expect(streams.map((s) => [s.stream, s.entries.map((e) => e.line)])).toEqual([
      ['{app="api", level="error"}', ['api error 1', 'api error 2']],
      ['{app="api", level="info"}', ['api info']],
    ]);
    expect(streams[0]).toMatchObject({ tenant: 'fake', labels: { app: 'api', level: 'error' } });
  });

  it('returns frozen entries', async () => {
    await seed();
    const [entry] = receiver.entries();
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry?.metadata)).toBe(true);
  });

  it('rejects invalid selectors', () => {
    expect(() => receiver.entries('app="x"')).toThrow(/invalid stream selector/);
    expect(() => receiver.entries('{app="x"} |= "foo"')).toThrow(/unexpected content/);
    expect(() => receiver.entries('{app=~"("}')).toThrow(/invalid regular expression/);
  });
});

describe('waitForEntries()', () => {
  it('resolves as soon as enough matching entries are stored', async () => {
    const waiting = receiver.waitForEntries(2, { selector: '{app="late"}' });
    await push(receiver.pushUrl, 'json', {
      streams: [{ stream: { app: 'other' }, values: [[tsAgo(), 'not counted']] }],
    });
    void push(receiver.pushUrl, 'json', {
      streams: [
        {
          stream: { app: 'late' },
          values: [
            [tsAgo(), 'one'],
            [tsAgo(0, 1n), 'two'],
          ],
        },
      ],
    });
    const entries = await waiting;
    expect(entries.map((e) => e.line)).toEqual(['one', 'two']);
  });

  it('resolves immediately when the entries are already there', async () => {
    await seed();
    expect(await receiver.waitForEntries(3, { selector: { app: 'api' } })).toHaveLength(3);
  });

  it('rejects on timeout with how many arrived', async () => {
    await seed();
    await expect(receiver.waitForEntries(5, { selector: '{app="api"}', timeoutMillis: 50 })).rejects.toThrow(
      'waitForEntries: timed out after 50 ms waiting for 5 entries matching {app="api"}; 3 arrived',
    );
    await expect(receiver.waitForEntries(1, { tenant: 'nobody', timeoutMillis: 20 })).rejects.toThrow(
      'waitForEntries: timed out after 20 ms waiting for 1 entries for tenant "nobody"; 0 arrived',
    );
  });

  it('rejects at once for an invalid selector', async () => {
    await expect(receiver.waitForEntries(1, { selector: 'nope' })).rejects.toThrow(/invalid stream selector/);
  });
});

describe('query_range', () => {
  const queryUrl = (query: string, extra = ''): string =>
    `${receiver.url}/loki/api/v1/query_range?query=${encodeURIComponent(query)}${extra}`;

  it("returns Loki's response shape, backward by default, with structured metadata merged into stream labels", async () => {
    await seed();
    const res = await fetch(queryUrl('{app=~"api|web"}'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const json = await responseJson(res);
    expect(json.status).toBe('success');
    expect(json.data.resultType).toBe('streams');
    const streams = json.data.result.map((r: { stream: Record<string, string>; values: string[][] }) => [
      r.stream.level,
      r.values.map((v) => v[1]),
    ]);
    expect(streams).toEqual([
      ['error', ['api error 2', 'api error 1']],
      ['errors', ['web errors']],
      ['info', ['api info']],
    ]);
    const web = json.data.result.find((r: { stream: Record<string, string> }) => r.stream.app === 'web');
    expect(web.stream).toEqual({ app: 'web', env: 'prod', level: 'errors', trace_id: 't1' });
    expect(web.values[0][0]).toMatch(/^\d{19}$/);
  });

  it('supports forward direction, limit and categorize-labels', async () => {
    await seed();
    const forward = await responseJson(fetch(queryUrl('{app=~".+"}', '&direction=FORWARD&limit=2')));
    expect(forward.data.result.flatMap((r: { values: string[][] }) => r.values.map((v) => v[1]))).toEqual([
      'api error 1',
      'api info',
    ]);
    const categorized = await responseJson(
      fetch(queryUrl('{app="web"}'), { headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' } }),
    );
    expect(categorized.data.encodingFlags).toEqual(['categorize-labels']);
    expect(categorized.data.result[0].stream).toEqual({ app: 'web', env: 'prod', level: 'errors' });
    expect(categorized.data.result[0].values[0][2]).toEqual({ structuredMetadata: { trace_id: 't1' } });
  });

  it('filters by start/end and escapes HTML characters like Loki', async () => {
    const old = nsAgo(2 * 60 * 60 * 1000);
    const body: PushBody = {
      streams: [
        {
          stream: { app: 'html' },
          values: [
            [old.toString(), 'two hours ago'],
            [tsAgo(), '<b>&</b>'],
          ],
        },
      ],
    };
    expect((await push(receiver.pushUrl, 'json', body)).status).toBe(204);
    const res = await fetch(queryUrl('{app="html"}'));
    const text = await res.text();
    expect(text).toContain('\\u003cb\\u003e\\u0026\\u003c/b\\u003e');
    expect(JSON.parse(text).data.result[0].values.map((v: string[]) => v[1])).toEqual(['<b>&</b>']);
    const start = (old - 1n).toString();
    const all = await responseJson(fetch(queryUrl('{app="html"}', `&start=${start}&limit=10`)));
    expect(all.data.result[0].values).toHaveLength(2);
    const secs = Math.floor(Number(old / 1_000_000_000n)) + 1;
    const onlyOld = await responseJson(fetch(queryUrl('{app="html"}', `&start=${start}&end=${secs}`)));
    expect(onlyOld.data.result[0].values.map((v: string[]) => v[1])).toEqual(['two hours ago']);
  });

  it.each([
    ['{app=~".*"}', '', 'queries require at least one regexp or equality matcher'],
    ['{app="x"} | json', '', 'only a stream selector followed by line filters'],
    ['sum(rate({app="x"}[1m]))', '', 'invalid stream selector'],
    ['{app="x"}', '&limit=0', 'limit must be a positive value'],
    ['{app="x"}', '&limit=5001', 'max entries limit per query exceeded'],
    ['{app="x"}', '&direction=sideways', 'invalid direction'],
    ['app="x"', '', 'invalid stream selector'],
  ])('answers 400 for %j%s', async (query, extra, message) => {
    const res = await fetch(queryUrl(query, extra));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
  });
});

describe('other routes', () => {
  it('serves /ready, 405 on the push path for other methods, 404 elsewhere', async () => {
    const ready = await fetch(`${receiver.url}/ready`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);
    const get = await fetch(receiver.pushUrl);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const put = await fetch(receiver.pushUrl, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    const missing = await fetch(`${receiver.url}/loki/api/v1/tail`);
    expect([missing.status, await missing.text()]).toEqual([404, '404 page not found\n']);
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(receiver.pushUrl).toBe(`${receiver.url}/loki/api/v1/push`);
    expect(receiver.requests).toEqual([]);
  });
});
