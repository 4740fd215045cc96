/**
 * What the receiver stores from `POST /otlp/v1/logs`, rule by rule, as Loki 3.4.6's OTLP mapping
 * (pkg/loghttp/push/otlp.go, otlp_config.go) stores it; every rule over protobuf and JSON, plain and gzipped.
 */
import { describe, expect, it } from 'vitest';
import { createLokiReceiver, OTLP_DEFAULT_INDEX_LABEL_ATTRIBUTES, type LokiReceiver } from '../src/index.js';
import { nsAgo, sharedReceiver } from './helpers.js';
import {
  attrs,
  type AnyValue,
  OTLP_ENCODINGS,
  postOtlp,
  record,
  request,
  type ExportRequest,
  type KeyValue,
} from './otlp-helpers.js';

let r: LokiReceiver;
sharedReceiver((receiver) => (r = receiver));

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

describe.each(OTLP_ENCODINGS)('OTLP mapping over %s', (encoding) => {
  async function store(req: ExportRequest): Promise<void> {
    const res = await postOtlp(r.otlpLogsUrl, req, encoding);
    expect(res.status, res.message).toBe(204);
  }

  it('default index-label resource attributes become labels (normalised), the others structured metadata', async () => {
    const ts = nsAgo();
    await store(
      request(
        { 'service.name': 'api', 'k8s.pod.name': 'p-1', 'deployment.environment.name': 'prod', 'host.name': 'h1' },
        record(ts, 'hello'),
      ),
    );
    expect(r.entries()).toEqual([
      expect.objectContaining({
        labels: { deployment_environment_name: 'prod', k8s_pod_name: 'p-1', service_name: 'api' },
        stream: '{deployment_environment_name="prod", k8s_pod_name="p-1", service_name="api"}',
        timestampNs: ts,
        line: 'hello',
        metadata: { host_name: 'h1' },
      }),
    ]);
  });

  it("Loki's default list has 18 attributes; all of them are index labels", async () => {
    expect(OTLP_DEFAULT_INDEX_LABEL_ATTRIBUTES).toHaveLength(18);
    // 15 labels besides service_name is the per-stream limit: the first 16 of the list (service.name + 15).
    const resource = Object.fromEntries(OTLP_DEFAULT_INDEX_LABEL_ATTRIBUTES.slice(0, 16).map((a) => [a, 'v']));
    await store(request(resource, record(nsAgo(), 'x')));
    const [e] = r.entries();
    expect(Object.keys(e!.labels).sort()).toEqual(
      OTLP_DEFAULT_INDEX_LABEL_ATTRIBUTES.slice(0, 16)
        .map((a) => a.replaceAll('.', '_'))
        .sort(),
    );
    expect(e!.metadata).toEqual({});
  });

  it('attribute names are normalised as Prometheus NormalizeLabel does; maps are flattened', async () => {
    const attributes: KeyValue[] = [
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: '1st', value: { stringValue: 'a' } },
      { key: '_private', value: { stringValue: 'b' } },
      { key: '__dunder', value: { stringValue: 'c' } },
      { key: 'a-b/c', value: { stringValue: 'd' } },
      {
        key: 'http',
        value: {
          kvlistValue: {
            values: [
              { key: 'status.code', value: { intValue: '200' } },
              { key: 'route', value: { kvlistValue: { values: [{ key: 'name', value: { stringValue: 'home' } }] } } },
            ],
          },
        },
      },
    ];
    await store(request({ 'service.name': 's' }, record(nsAgo(), 'x', { attributes })));
    expect(r.entries()[0]!.metadata).toEqual({
      http_request_method: 'GET',
      key_1st: 'a',
      key_private: 'b',
      __dunder: 'c',
      a_b_c: 'd',
      http_status_code: '200',
      http_route_name: 'home',
    });
  });

  it('attribute values are stringified as pdata AsString does (arrays and maps as Go JSON)', async () => {
    const attributes: KeyValue[] = [
      { key: 'b', value: { boolValue: true } },
      { key: 'i', value: { intValue: '-9007199254740993' } },
      { key: 'd', value: { doubleValue: 1.5 } },
      { key: 'big', value: { doubleValue: 1e21 } },
      { key: 'small', value: { doubleValue: 1e-7 } },
      { key: 'whole', value: { doubleValue: 3 } },
      { key: 'bytes', value: { bytesValue: Buffer.from([0, 1, 255]).toString('base64') } },
      {
        key: 'arr',
        value: {
          arrayValue: {
            values: [{ stringValue: 'a<b>&' }, { intValue: '1' }, { boolValue: false }, { doubleValue: 0.5 }, {}],
          },
        },
      },
      { key: 'empty', value: {} },
    ];
    await store(request({ 'service.name': 's' }, record(nsAgo(), 'x', { attributes })));
    expect(r.entries()[0]!.metadata).toEqual({
      b: 'true',
      i: '-9007199254740993',
      d: '1.5',
      big: '1e+21',
      small: '1e-7',
      whole: '3',
      bytes: 'AAH/',
      arr: '["a\\u003cb\\u003e\\u0026",1,false,0.5,null]',
      empty: '',
    });
  });

  it('the body is the line: a string as is, other values as AsString (maps as sorted Go JSON)', async () => {
    const ts = nsAgo();
    const bodies: AnyValue[] = [
      { stringValue: 'plain "text"\n' },
      { intValue: '7' },
      { boolValue: true },
      {
        kvlistValue: {
          values: [
            { key: 'msg', value: { stringValue: 'hi\t<x>' } },
            { key: 'a', value: { arrayValue: { values: [{ intValue: '1' }, { doubleValue: 2.25 }] } } },
            { key: 'b', value: { bytesValue: 'AQI=' } },
          ],
        },
      },
      {},
    ];
    await store(
      request({ 'service.name': 's' }, ...bodies.map((body, i) => ({ ...record(ts + BigInt(i), ''), body }))),
    );
    expect(r.entries().map((e) => e.line)).toEqual([
      'plain "text"\n',
      '7',
      'true',
      '{"a":[1,2.25],"b":"AQI=","msg":"hi\\t\\u003cx\\u003e"}',
      '',
    ]);
  });

  it('record fields become structured metadata when set: severity, counts, flags, trace and span IDs', async () => {
    const ts = nsAgo();
    await store(
      request(
        { 'service.name': 's' },
        record(ts, 'x', {
          observedTimeUnixNano: (ts + 5n).toString(),
          severityNumber: 17,
          severityText: 'ERROR',
          droppedAttributesCount: 2,
          flags: 1,
          traceId: TRACE_ID,
          spanId: SPAN_ID,
          attributes: attrs({ 'code.function': 'f' }),
        }),
        record(ts + 1n, 'bare'),
      ),
    );
    const [full, bare] = r.entries();
    expect(full!.metadata).toEqual({
      code_function: 'f',
      observed_timestamp: (ts + 5n).toString(),
      severity_number: '17',
      severity_text: 'ERROR',
      dropped_attributes_count: '2',
      flags: '1',
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
    });
    expect(bare!.metadata).toEqual({});
  });

  it('an all-zero trace or span ID counts as unset', async () => {
    await store(
      request({ 'service.name': 's' }, record(nsAgo(), 'x', { traceId: '0'.repeat(32), spanId: '0'.repeat(16) })),
    );
    expect(r.entries()[0]!.metadata).toEqual({});
  });

  it('the scope adds its attributes, scope_name, scope_version and scope_dropped_attributes_count', async () => {
    const req: ExportRequest = {
      resourceLogs: [
        {
          resource: { attributes: attrs({ 'service.name': 's', 'host.name': 'h' }) },
          scopeLogs: [
            {
              scope: {
                name: 'my.lib',
                version: '1.2.3',
                attributes: attrs({ 'lib.kind': 'x' }),
                droppedAttributesCount: 3,
              },
              logRecords: [record(nsAgo(), 'a', { attributes: attrs({ k: 'v' }) })],
            },
            { scope: {}, logRecords: [record(nsAgo(), 'b')] },
          ],
        },
      ],
    };
    await store(req);
    const [a, b] = r.entries();
    expect(a!.metadata).toEqual({
      k: 'v',
      host_name: 'h',
      lib_kind: 'x',
      scope_name: 'my.lib',
      scope_version: '1.2.3',
      scope_dropped_attributes_count: '3',
    });
    expect(b!.metadata).toEqual({ host_name: 'h' });
  });

  it('timestamp: time_unix_nano, else observed_time_unix_nano (then not repeated as metadata), else now', async () => {
    const ts = nsAgo(1000);
    const before = nsAgo();
    await store(
      request(
        { 'service.name': 's' },
        record(ts, 'time'),
        { observedTimeUnixNano: (ts + 7n).toString(), body: { stringValue: 'observed' } },
        { body: { stringValue: 'now' } },
        { body: { stringValue: 'now' } },
      ),
    );
    // The receipt time has sub-millisecond digits: up to 1 ms past this clock reading.
    const after = nsAgo(-1);
    const [time, observed, now1, now2] = r.entries();
    expect(time!.timestampNs).toBe(ts);
    expect(observed!.timestampNs).toBe(ts + 7n);
    expect(observed!.metadata).toEqual({});
    for (const e of [now1!, now2!]) {
      expect(e.timestampNs >= before && e.timestampNs <= after).toBe(true);
    }
    // Loki stamps each record with its own time.Now(): two equal lines are both kept.
    expect(now1!.timestampNs).not.toBe(now2!.timestampNs);
  });

  it('resources with the same index labels share one stream; the others get their own', async () => {
    const ts = nsAgo();
    await store({
      resourceLogs: [
        {
          resource: { attributes: attrs({ 'service.name': 'a', 'host.name': 'h1' }) },
          scopeLogs: [{ logRecords: [record(ts, '1')] }],
        },
        { resource: { attributes: attrs({ 'service.name': 'b' }) }, scopeLogs: [{ logRecords: [record(ts, '2')] }] },
        {
          resource: { attributes: attrs({ 'service.name': 'a', 'host.name': 'h2' }) },
          scopeLogs: [{ logRecords: [record(ts + 1n, '3')] }],
        },
      ],
    });
    expect(r.streams().map((s) => [s.stream, s.entries.map((e) => [e.line, e.metadata['host_name']])])).toEqual([
      [
        '{service_name="a"}',
        [
          ['1', 'h1'],
          ['3', 'h2'],
        ],
      ],
      ['{service_name="b"}', [['2', undefined]]],
    ]);
  });

  it('an index label with an empty value is dropped from the stream', async () => {
    await store(request({ 'service.name': 's', 'k8s.namespace.name': '' }, record(nsAgo(), 'x')));
    expect(r.entries()[0]!.labels).toEqual({ service_name: 's' });
  });
});

describe.each(OTLP_ENCODINGS)('OTLP service_name and detected_level over %s (Loki defaults)', (encoding) => {
  async function withDefaults(req: ExportRequest): Promise<LokiReceiver> {
    const receiver = await createLokiReceiver();
    const res = await postOtlp(receiver.otlpLogsUrl, req, encoding);
    expect(res.status, res.message).toBe(204);
    return receiver;
  }

  it('no service.name: unknown_service; one of the discovery labels among the index labels supplies it', async () => {
    const ts = nsAgo();
    const receiver = await withDefaults({
      resourceLogs: [
        { resource: { attributes: attrs({ 'host.name': 'h' }) }, scopeLogs: [{ logRecords: [record(ts, 'a')] }] },
        {
          resource: { attributes: attrs({ 'k8s.namespace.name': 'ns', 'k8s.container.name': 'web' }) },
          scopeLogs: [{ logRecords: [record(ts, 'b')] }],
        },
        // `app` is only structured metadata here (not on the index list): no discovery from it.
        {
          resource: { attributes: attrs({ app: 'shop', 'service.name': '' }) },
          scopeLogs: [{ logRecords: [record(ts, 'c')] }],
        },
      ],
    });
    try {
      const byLine = receiver.entries().sort((x, y) => (x.line < y.line ? -1 : 1));
      expect(byLine.map((e) => [e.line, e.labels, e.metadata['app']])).toEqual([
        ['a', { service_name: 'unknown_service' }, undefined],
        ['b', { k8s_container_name: 'web', k8s_namespace_name: 'ns', service_name: 'web' }, undefined],
        ['c', { service_name: 'unknown_service' }, 'shop'],
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('detected_level comes from severity_number, else from the line', async () => {
    const ts = nsAgo();
    const levels = [
      [1, 'trace'],
      [5, 'debug'],
      [9, 'info'],
      [13, 'warn'],
      [17, 'error'],
      [21, 'fatal'],
      [25, 'unknown'],
    ];
    const receiver = await withDefaults(
      request(
        { 'service.name': 's' },
        ...levels.map(([n], i) => record(ts + BigInt(i), `line ${i}`, { severityNumber: n as number })),
        record(ts + 100n, 'level=warn something'),
      ),
    );
    try {
      expect(receiver.entries().map((e) => e.metadata['detected_level'])).toEqual([
        ...levels.map(([, level]) => level),
        'warn',
      ]);
    } finally {
      await receiver.close();
    }
  });
});
