/**
 * The two OTLP decoders against what Loki 3.4.6's vendored pdata accepts and refuses: OTLP/JSON's field names
 * and value forms (jsoniter), protobuf's wire rules (gogo), and the resources Loki drops without an error.
 */
import { describe, expect, it } from 'vitest';
import type { LokiReceiver } from '../src/index.js';
import { nsAgo, sharedReceiver } from './helpers.js';
import { postOtlpRaw, record, request, toProtobuf } from './otlp-helpers.js';

let r: LokiReceiver;
sharedReceiver((receiver) => (r = receiver));

const json = (body: string) => postOtlpRaw(r.otlpLogsUrl, body, { 'content-type': 'application/json' });
const proto = (body: Uint8Array) => postOtlpRaw(r.otlpLogsUrl, body, { 'content-type': 'application/x-protobuf' });

describe('OTLP/JSON as pdata reads it', () => {
  it('snake_case names, integers as JSON numbers, severity by enum name, null lists, trailing bytes', async () => {
    const ts = nsAgo();
    const body = JSON.stringify({
      resource_logs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 's' } }] },
          scope_logs: [
            {
              scope: { name: 'lib', attributes: null },
              log_records: [
                {
                  time_unix_nano: Number(ts / 1_000_000n) * 1e6,
                  severity_number: 'SEVERITY_NUMBER_ERROR2',
                  severity_text: 'E',
                  body: { int_value: 12 },
                  attributes: [{ key: 'n', value: { double_value: '2.5' } }],
                  trace_id: '5B8EFFF798038103D269B633813FC60C',
                  dropped_attributes_count: '1',
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await json(body + ' trailing }');
    expect(res.status, res.message).toBe(204);
    expect(r.entries()).toEqual([
      expect.objectContaining({
        timestampNs: (ts / 1_000_000n) * 1_000_000n,
        line: '12',
        metadata: {
          n: '2.5',
          severity_number: '18',
          severity_text: 'E',
          dropped_attributes_count: '1',
          trace_id: '5b8efff798038103d269b633813fc60c',
          scope_name: 'lib',
        },
      }),
    ]);
  });

  it('a timestamp beyond 2^53 is read exactly from a JSON number', async () => {
    const ts = nsAgo() + 123n;
    const res = await json(
      `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},` +
        `"scopeLogs":[{"logRecords":[{"timeUnixNano":${ts},"body":{"stringValue":"x"}}]}]}]}`,
    );
    expect(res.status, res.message).toBe(204);
    expect(r.entries()[0]!.timestampNs).toBe(ts);
  });

  it('unknown fields and an unknown value kind are skipped (the value is then empty)', async () => {
    const res = await json(
      `{"resourceLogs":[{"x":1,"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},` +
        `"scopeLogs":[{"logRecords":[{"eventName":"e","timeUnixNano":"${nsAgo()}","body":{"weird":[1]}}]}]}]}`,
    );
    expect(res.status, res.message).toBe(204);
    expect(r.entries()[0]!.line).toBe('');
  });

  it.each([
    ['a trace ID of the wrong length', '"traceId":"abcd"', /^readLog\.traceId: parse trace_id:invalid length for ID, /],
    [
      'a trace ID that is not hex',
      `"traceId":"${'g'.repeat(32)}"`,
      /^readLog\.traceId: parse trace_id:cannot unmarshal ID from string 'g{32}': encoding\/hex: invalid byte: U\+0067 'g'/,
    ],
    ['a span ID of the wrong length', '"spanId":"ab"', /^readLog\.spanId: parse span_id:invalid length for ID, /],
    ['an unknown severity name', '"severityNumber":"LOUD"', /^ReadEnumValue: unknown string value, /],
    [
      'a time that is not a number',
      '"timeUnixNano":"soon"',
      /^ReadUint64: strconv\.ParseUint: parsing "soon": invalid syntax, /,
    ],
    ['a negative time', '"timeUnixNano":-1', /^ReadUint64: /],
    ['bad base64 bytes', '"body":{"bytesValue":"!!"}', /^bytesValue: base64 decode:/],
    ['a string where an object belongs', '"body":"text"', /^ReadObjectCB: expect \{ or n, but found "/],
  ])('%s is 400 with jsoniter-style text; nothing stored', async (_name, field, message) => {
    const res = await json(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{${field}}]}]}]}`);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(message);
    expect(r.entries()).toEqual([]);
  });

  it('an empty body and a syntax error are 400; "{}" is an empty request (422)', async () => {
    expect((await json('')).status).toBe(400);
    expect((await json('{"resourceLogs":[')).status).toBe(400);
    expect((await json('{}')).status).toBe(422);
  });
});

describe('OTLP protobuf as gogo reads it', () => {
  it('an empty body is an empty request (422)', async () => {
    expect((await proto(Buffer.alloc(0))).status).toBe(422);
  });

  it('a truncated message is 400 unexpected EOF; nothing stored', async () => {
    const body = toProtobuf(request({ 'service.name': 's' }, record(nsAgo(), 'hello')));
    const res = await proto(body.subarray(0, body.length - 2));
    expect([res.status, res.message]).toEqual([400, 'unexpected EOF']);
    expect(r.entries()).toEqual([]);
  });

  it('a trace ID that is not 16 bytes is 400', async () => {
    const body = toProtobuf(request({ 'service.name': 's' }, record(nsAgo(), 'x', { traceId: 'abcd' })));
    const res = await proto(body);
    expect([res.status, res.message]).toEqual([400, 'unmarshal: invalid TraceID length']);
  });

  it('a field with the wrong wire type is 400 with gogo text', async () => {
    // ExportLogsServiceRequest.resource_logs (1) sent as a varint.
    const res = await proto(Buffer.from([0x08, 0x01]));
    expect([res.status, res.message]).toEqual([400, 'proto: wrong wireType = 0 for field ResourceLogs']);
  });

  it('unknown fields are skipped', async () => {
    const body = toProtobuf(request({ 'service.name': 's' }, record(nsAgo(), 'x')));
    // Field 99 (varint) in front of the request.
    const res = await proto(Buffer.concat([Buffer.from([0x98, 0x06, 0x01]), body]));
    expect(res.status, res.message).toBe(204);
    expect(r.entries()).toHaveLength(1);
  });

  it('deprecated scope logs (field 1000) are read when scope_logs is empty', async () => {
    const scopeLogs = toProtobuf(request({ 'service.name': 's' }, record(nsAgo(), 'old field')));
    // Re-tag: decode the request's ResourceLogs bytes and emit its ScopeLogs under field 1000.
    const rl = scopeLogs.subarray(2); // 0x0a <len> ResourceLogs…  (short message: a one-byte length)
    expect(scopeLogs[0]).toBe(0x0a);
    // ResourceLogs = 0x0a <len> Resource, 0x12 <len> ScopeLogs: move the ScopeLogs to tag (1000<<3)|2 = 0xc2 0x3e.
    const resourceLen = rl[1]!;
    const scope = rl.subarray(2 + resourceLen);
    expect(scope[0]).toBe(0x12);
    const moved = Buffer.concat([rl.subarray(0, 2 + resourceLen), Buffer.from([0xc2, 0x3e]), scope.subarray(1)]);
    const res = await proto(Buffer.concat([Buffer.from([0x0a, moved.length]), moved]));
    expect(res.status, res.message).toBe(204);
    expect(r.entries().map((e) => e.line)).toEqual(['old field']);
  });
});

describe('resources Loki drops without an error', () => {
  /** A request whose first resource's service.name holds the invalid UTF-8 bytes 51 ff fe 5a. */
  function invalidServiceName(): Buffer {
    const bad = request({ 'service.name': 'QXYZ' }, record(nsAgo(), 'dropped'));
    const good = request({ 'service.name': 'good' }, record(nsAgo(), 'kept'));
    const body = toProtobuf({ resourceLogs: [...bad.resourceLogs, ...good.resourceLogs] });
    const at = body.indexOf('QXYZ');
    body[at + 1] = 0xff;
    body[at + 2] = 0xfe;
    return body;
  }

  it('an index label that is not valid UTF-8 drops its resource silently (204); the others are stored', async () => {
    const res = await proto(invalidServiceName());
    expect(res.status, res.message).toBe(204);
    expect(r.entries().map((e) => e.line)).toEqual(['kept']);
  });

  it('as structured metadata the same bytes are kept (U+FFFD becomes a space)', async () => {
    const body = toProtobuf(request({ 'service.name': 's', 'host.name': 'QXYZ' }, record(nsAgo(), 'x')));
    const at = body.indexOf('QXYZ');
    body[at + 1] = 0xff;
    body[at + 2] = 0xfe;
    const res = await proto(body);
    expect(res.status, res.message).toBe(204);
    expect(r.entries()[0]!.metadata).toEqual({ host_name: 'Q  Z' });
  });

  it('only dropped resources: nothing to push, 422', async () => {
    const bad = request({ 'service.name': 'QXYZ' }, record(nsAgo(), 'dropped'));
    const body = toProtobuf(bad);
    const at = body.indexOf('QXYZ');
    body[at + 1] = 0xff;
    const res = await proto(body);
    expect([res.status, res.message]).toEqual([422, 'error at least one valid stream is required for ingestion']);
  });

  it('a map-valued index attribute with a non-ASCII key flattens to an invalid label name: dropped', async () => {
    const req = request({}, record(nsAgo(), 'dropped'));
    req.resourceLogs[0]!.resource = {
      attributes: [
        { key: 'service.name', value: { kvlistValue: { values: [{ key: 'ü', value: { stringValue: 'v' } }] } } },
      ],
    };
    const good = request({ 'service.name': 'good' }, record(nsAgo(), 'kept'));
    const res = await proto(toProtobuf({ resourceLogs: [...req.resourceLogs, ...good.resourceLogs] }));
    expect(res.status, res.message).toBe(204);
    expect(r.entries().map((e) => e.line)).toEqual(['kept']);
  });
});
