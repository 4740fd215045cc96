/**
 * The answers of `POST /otlp/v1/logs` as Loki 3.4.6 gives them (pkg/loghttp/push/otlp.go `extractLogs`,
 * pkg/distributor/http.go with `OTLPError`): 204 with no body, errors as a protobuf google.rpc.Status, 500 sent
 * as 503; the push rules and limits of a Loki push; auth, faults and the query API as for pushes.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLokiReceiver, type LokiReceiver, type LokiReceiverOptions } from '../src/index.js';
import { DAY, NO_DISCOVERY, nsAgo, responseJson, sharedReceiver } from './helpers.js';
import {
  encodeOtlp,
  OTLP_ENCODINGS,
  postOtlp,
  postOtlpRaw,
  record,
  request,
  toProtobuf,
  type ExportRequest,
} from './otlp-helpers.js';

let r: LokiReceiver;
sharedReceiver((receiver) => (r = receiver));

const ONE = (): ExportRequest => request({ 'service.name': 'api' }, record(nsAgo(), 'hello'));
const EMPTY_REQUEST = 'error at least one valid stream is required for ingestion';

async function withReceiver<T>(options: LokiReceiverOptions, use: (receiver: LokiReceiver) => Promise<T>): Promise<T> {
  const receiver = await createLokiReceiver({ ...NO_DISCOVERY, ...options });
  try {
    return await use(receiver);
  } finally {
    await receiver.close();
  }
}

/** Two resources: `bad` gets the given record, `good` a valid one. */
function badAndGood(bad: ReturnType<typeof record>): ExportRequest {
  const good = request({ 'service.name': 'good' }, record(nsAgo(), 'ok'));
  const first = request({ 'service.name': 'bad' }, bad);
  return { resourceLogs: [...first.resourceLogs, ...good.resourceLogs] };
}

describe('OTLP transport', () => {
  it('success is 204 with an empty body', async () => {
    const res = await postOtlp(r.otlpLogsUrl, ONE(), 'protobuf');
    expect(res.status).toBe(204);
    expect(res.body.length).toBe(0);
    expect(r.requests.map((q) => [q.path, q.status, q.entriesReceived, q.entriesStored])).toEqual([
      ['/otlp/v1/logs', 204, 1, 1],
    ]);
  });

  it.each([
    ['application/json; charset=utf-8', 'json'],
    ['application/x-protobuf; proto=x', 'protobuf'],
    ['Application/JSON', 'json'],
    ['text/plain', 'json'],
    ['application/protobuf', 'protobuf'],
  ] as const)('Content-Type %j is refused (400, exact match only)', async (contentType, encoding) => {
    const { body } = encodeOtlp(ONE(), encoding);
    const res = await postOtlpRaw(r.otlpLogsUrl, body, { 'content-type': contentType });
    expect([res.status, res.message]).toEqual([400, `content type: ${contentType} is not supported`]);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.entries()).toEqual([]);
  });

  it('no Content-Type is refused with an empty type in the text', async () => {
    const res = await postOtlpRaw(r.otlpLogsUrl, toProtobuf(ONE()), {});
    expect([res.status, res.message]).toEqual([400, 'content type:  is not supported']);
  });

  it.each(['snappy', 'deflate', 'identity', 'br'])(
    'Content-Encoding %j is ignored: the body is read as is',
    async (enc) => {
      const res = await postOtlpRaw(r.otlpLogsUrl, toProtobuf(ONE()), {
        'content-type': 'application/x-protobuf',
        'content-encoding': enc,
      });
      expect(res.status).toBe(204);
      expect(r.entries()).toHaveLength(1);
    },
  );

  it('Content-Encoding gzip on a plain body, and a gzip body under "GZIP", are 400', async () => {
    const plain = await postOtlpRaw(r.otlpLogsUrl, toProtobuf(ONE()), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect([plain.status, plain.message]).toEqual([400, 'gzip: invalid header']);
    const upper = await postOtlpRaw(r.otlpLogsUrl, gzipSync(JSON.stringify(ONE())), {
      'content-type': 'application/json',
      'content-encoding': 'GZIP',
    });
    expect(upper.status).toBe(400);
    expect(r.entries()).toEqual([]);
  });

  it('the body is gunzipped before the Content-Type is looked at: a gzip error comes first', async () => {
    const res = await postOtlpRaw(r.otlpLogsUrl, 'this is not gzip', {
      'content-type': 'text/plain',
      'content-encoding': 'gzip',
    });
    expect([res.status, res.message]).toEqual([400, 'gzip: invalid header']);
  });

  it('a truncated gzip body is 400 unexpected EOF', async () => {
    const gz = gzipSync(toProtobuf(ONE()));
    const res = await postOtlpRaw(r.otlpLogsUrl, gz.subarray(0, gz.length - 6), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect([res.status, res.message]).toEqual([400, 'unexpected EOF']);
  });

  it('405 with an empty body for another method', async () => {
    const res = await fetch(r.otlpLogsUrl);
    expect(res.status).toBe(405);
    expect(await res.text()).toBe('');
  });
});

describe.each(OTLP_ENCODINGS)('OTLP answers over %s', (encoding) => {
  it('no log record is 422 (Loki builds an empty push request)', async () => {
    for (const req of [{ resourceLogs: [] }, request({ 'service.name': 'a' })]) {
      const res = await postOtlp(r.otlpLogsUrl, req, encoding);
      expect([res.status, res.message]).toEqual([422, EMPTY_REQUEST]);
    }
  });

  it('a line over max_line_size fails that entry (400 with Loki text); the rest is stored', async () => {
    const res = await postOtlp(r.otlpLogsUrl, badAndGood(record(nsAgo(), 'x'.repeat(262145))), encoding);
    expect(res.status).toBe(400);
    expect(res.message).toBe(
      "Max entry size '262144' bytes exceeded for stream '{service_name=\"bad\"}' while adding an entry with length '262145' bytes",
    );
    expect(r.entries().map((e) => e.line)).toEqual(['ok']);
  });

  it('a record older than 7 days fails (400 too old); the rest is stored', async () => {
    const res = await postOtlp(r.otlpLogsUrl, badAndGood(record(nsAgo(8 * DAY), 'old')), encoding);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(/^entry for stream '\{service_name="bad"\}' has timestamp too old: /);
    expect(r.entries().map((e) => e.line)).toEqual(['ok']);
  });

  it('a time_unix_nano past 2^63 turns negative as in Go (then too old)', async () => {
    const max = { timeUnixNano: (2n ** 64n - 1n).toString(), body: { stringValue: 'x' } };
    const res = await postOtlp(r.otlpLogsUrl, request({ 'service.name': 's' }, max), encoding);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(
      /^entry for stream '\{service_name="s"\}' has timestamp too old: 1969-12-31T23:59:59Z, /,
    );
  });

  it('more than 15 index labels besides service_name fail the stream (all 18 defaults: 17)', async () => {
    const resource = Object.fromEntries(
      [
        'service.name',
        'service.namespace',
        'service.instance.id',
        'deployment.environment',
        'deployment.environment.name',
        'cloud.region',
        'cloud.availability_zone',
        'k8s.cluster.name',
        'k8s.namespace.name',
        'k8s.pod.name',
        'k8s.container.name',
        'container.name',
        'k8s.replicaset.name',
        'k8s.deployment.name',
        'k8s.statefulset.name',
        'k8s.daemonset.name',
        'k8s.cronjob.name',
        'k8s.job.name',
      ].map((a) => [a, 'v']),
    );
    const res = await postOtlp(r.otlpLogsUrl, request(resource, record(nsAgo(), 'x')), encoding);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(/^entry for stream '\{.*\}' has 17 label names; limit 15$/);
    expect(r.entries()).toEqual([]);
  });

  it('a U+FFFD in an index label fails that stream when the distributor parses its labels (400)', async () => {
    const bad = request({ 'service.name': 'a\ufffd' }, record(nsAgo(), 'x'));
    const good = request({ 'service.name': 'good' }, record(nsAgo(), 'ok'));
    const res = await postOtlp(r.otlpLogsUrl, { resourceLogs: [...bad.resourceLogs, ...good.resourceLogs] }, encoding);
    expect(res.status).toBe(400);
    expect(res.message).toBe(
      `Error parsing labels '{service_name="a\ufffd"}' with error: 1:15: parse error: invalid UTF-8 rune`,
    );
    expect(r.entries().map((e) => e.line)).toEqual(['ok']);
  });

  it('the same record pushed twice is stored once', async () => {
    const req = ONE();
    expect((await postOtlp(r.otlpLogsUrl, req, encoding)).status).toBe(204);
    expect((await postOtlp(r.otlpLogsUrl, req, encoding)).status).toBe(204);
    expect(r.entries()).toHaveLength(1);
  });

  it('an ingester error 500 is sent as 503 (OTLP clients retry 503, not 500); nothing stored', async () => {
    await withReceiver({ limits: { maxRecvMsgBytes: 10 } }, async (receiver) => {
      const res = await postOtlp(receiver.otlpLogsUrl, ONE(), encoding);
      expect(res.status).toBe(503);
      expect(res.message).toMatch(/^rpc error: code = ResourceExhausted desc = grpc: received message larger than max/);
      expect(receiver.entries()).toEqual([]);
      expect(receiver.requests[0]!.status).toBe(503);
    });
  });

  it('the tenant rate limit is 429 (passed through), nothing stored', async () => {
    await withReceiver({ limits: { ingestionBurstBytes: 3 } }, async (receiver) => {
      const res = await postOtlp(receiver.otlpLogsUrl, ONE(), encoding);
      expect(res.status).toBe(429);
      expect(res.message).toMatch(/^Ingestion rate limit exceeded for user fake /);
      expect(receiver.entries()).toEqual([]);
    });
  });
});

describe('OTLP: tenant, faults and the query API as for pushes', () => {
  it('auth on: no X-Scope-OrgID is 401 plain text; an invalid tenant 400 as a Status; a tenant stores under it', async () => {
    await withReceiver({ authEnabled: true }, async (receiver) => {
      const none = await postOtlp(receiver.otlpLogsUrl, ONE(), 'protobuf');
      expect([none.status, none.body.toString(), none.headers.get('content-type')]).toEqual([
        401,
        'no org id\n',
        'text/plain; charset=utf-8',
      ]);
      const dots = await postOtlp(receiver.otlpLogsUrl, ONE(), 'protobuf', { 'x-scope-orgid': '..' });
      expect([dots.status, dots.message]).toEqual([400, "tenant ID is '.' or '..'"]);
      const ok = await postOtlp(receiver.otlpLogsUrl, ONE(), 'json', { 'x-scope-orgid': 'team-a' });
      expect(ok.status).toBe(204);
      expect(receiver.entries().map((e) => e.tenant)).toEqual(['team-a']);
    });
  });

  it('fault steps apply: 503 then 204 stores the batch once', async () => {
    r.failNext(503);
    const req = ONE();
    expect((await postOtlp(r.otlpLogsUrl, req, 'protobuf')).status).toBe(503);
    expect((await postOtlp(r.otlpLogsUrl, req, 'protobuf')).status).toBe(204);
    expect(r.entries()).toHaveLength(1);
    expect(r.requests.map((q) => [q.path, q.status, q.fault, q.entriesReceived])).toEqual([
      ['/otlp/v1/logs', 503, 'status:503', 1],
      ['/otlp/v1/logs', 204, undefined, 1],
    ]);
  });

  it('stored records are returned by query_range with their structured metadata', async () => {
    const ts = nsAgo();
    await postOtlp(
      r.otlpLogsUrl,
      request({ 'service.name': 'api' }, record(ts, 'hello', { severityText: 'WARN', spanId: 'eee19b7ec3c1b174' })),
      'json',
    );
    const url = `${r.url}/loki/api/v1/query_range?query=${encodeURIComponent('{service_name="api"}')}`;
    const body = await responseJson(fetch(url, { headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' } }));
    expect(body.data.result).toEqual([
      {
        stream: { service_name: 'api' },
        values: [
          [ts.toString(), 'hello', { structuredMetadata: { severity_text: 'WARN', span_id: 'eee19b7ec3c1b174' } }],
        ],
      },
    ]);
  });
});

describe('OTLP with service-name discovery off (discover_service_name: [])', () => {
  it('a resource with no index-label attribute has no labels: 400 for its stream', async () => {
    const res = await postOtlp(r.otlpLogsUrl, badAndGood({ ...record(nsAgo(), 'x') }), 'protobuf');
    expect(res.status).toBe(204);
    const none = await postOtlp(r.otlpLogsUrl, request({ 'host.name': 'h' }, record(nsAgo(), 'x')), 'protobuf');
    expect([none.status, none.message]).toEqual([400, 'error at least one label pair is required per stream']);
  });
});
