import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeOtlpProtobuf } from '../src/encode-otlp-protobuf.js';
import { resolvePushUrl } from '../src/options.js';
import { groupByResource, severityNumber, type OtlpMappingOptions } from '../src/otlp-mapping.js';
import { otlpFailureText, otlpPartialSuccess } from '../src/otlp-response.js';
import { encodePushBody } from '../src/push-encoder.js';
import type { LokiEntry, StreamRef } from '../src/record.js';
import { classifyOtlpStatus } from '../src/retry-policy.js';
import { TRACE_FIELD_NAMES } from '../src/trace-context.js';

// Our OTLP bytes decoded by protobufjs with opentelemetry-proto's own field numbers and types.
const root = protobuf.parse(readFileSync(new URL('./fixtures/otlp-logs.proto', import.meta.url), 'utf8')).root;
const Request = root.lookupType('otlp.ExportLogsServiceRequest');
const Response = root.lookupType('otlp.ExportLogsServiceResponse');

interface Decoded {
  resourceLogs: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue: string } }> };
    scopeLogs: Array<{ scope?: unknown; logRecords: Array<Record<string, unknown>> }>;
  }>;
}

function decode(body: Buffer): Decoded {
  const message = Request.decode(body);
  // bytes as hex (OTLP/JSON's own rendering of ids), 64-bit numbers as decimal strings.
  return Request.toObject(message, { longs: String, bytes: String, defaults: false }) as unknown as Decoded;
}

function stream(labels: Array<[string, string]>): StreamRef {
  const sorted = [...labels].sort(([a], [b]) => (a < b ? -1 : 1));
  return { key: `{${sorted.map(([n, v]) => `${n}="${v}"`).join(', ')}}`, labels: sorted, lastNs: 0n };
}

function entry(s: StreamRef, line: string, ns: bigint, metadata?: Array<[string, string]>): LokiEntry {
  let bytes = Buffer.byteLength(line);
  for (const [n, v] of metadata ?? []) bytes += Buffer.byteLength(n) + Buffer.byteLength(v);
  return { stream: s, timestampNs: ns, line, metadata, bytes, seq: 0 };
}

const MAPPING: OtlpMappingOptions = { levelLabel: 'level', traceContext: TRACE_FIELD_NAMES };
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

const attrs = (pairs: Array<[string, string]>): Array<{ key: string; value: { stringValue: string } }> =>
  pairs.map(([key, value]) => ({ key, value: { stringValue: value } }));

describe('OTLP encoder', () => {
  it('maps labels to resource attributes, app to service.name, the level to severity, trace context to ids', () => {
    const info = stream([
      ['app', 'checkout'],
      ['region', 'eu'],
      ['level', 'info'],
    ]);
    const error = stream([
      ['app', 'checkout'],
      ['region', 'eu'],
      ['level', 'error'],
    ]);
    const entries = [
      entry(info, 'hello', 1_700_000_000_123_456_789n, [
        ['user', 'ann'],
        ['trace_id', TRACE],
        ['span_id', SPAN],
        ['trace_flags', '01'],
      ]),
      entry(error, 'grüße ✓ 😀', 1_700_000_001_000_000_000n),
    ];
    const decoded = decode(encodeOtlpProtobuf(groupByResource(entries, MAPPING)));
    // Streams that differ only in level are one resource.
    expect(decoded.resourceLogs).toHaveLength(1);
    const [resourceLogs] = decoded.resourceLogs;
    expect(resourceLogs!.resource.attributes).toEqual(
      attrs([
        ['service.name', 'checkout'],
        ['region', 'eu'],
      ]),
    );
    expect(resourceLogs!.scopeLogs).toHaveLength(1);
    expect(resourceLogs!.scopeLogs[0]!.scope).toBeUndefined();
    const [first, second] = resourceLogs!.scopeLogs[0]!.logRecords;
    expect(first).toEqual({
      timeUnixNano: '1700000000123456789',
      severityNumber: 9,
      severityText: 'info',
      body: { stringValue: 'hello' },
      attributes: attrs([['user', 'ann']]),
      flags: 1,
      traceId: Buffer.from(TRACE, 'hex').toString('base64'),
      spanId: Buffer.from(SPAN, 'hex').toString('base64'),
    });
    expect(second).toEqual({
      timeUnixNano: '1700000001000000000',
      severityNumber: 17,
      severityText: 'error',
      body: { stringValue: 'grüße ✓ 😀' },
    });
  });

  it('keeps a malformed trace id as an attribute, takes the level from metadata when levelLabel is false', () => {
    const s = stream([['service_name', 'api']]);
    const e = entry(s, '', 5n, [
      ['level', 'warning'],
      ['trace_id', 'not-hex'],
      ['k', ''],
    ]);
    const decoded = decode(
      encodeOtlpProtobuf(groupByResource([e], { levelLabel: false, traceContext: TRACE_FIELD_NAMES })),
    );
    expect(decoded.resourceLogs[0]!.resource.attributes).toEqual(attrs([['service.name', 'api']]));
    expect(decoded.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]).toEqual({
      timeUnixNano: '5',
      severityNumber: 13,
      severityText: 'warning',
      body: { stringValue: '' },
      attributes: attrs([
        ['trace_id', 'not-hex'],
        ['k', ''],
      ]),
    });
  });

  it('writes one resource per label set, in arrival order, long strings included', () => {
    const long = 'x'.repeat(300) + 'é'.repeat(200);
    const a = stream([['job', 'a']]);
    const b = stream([['job', 'b']]);
    const entries = [entry(a, long, 1n), entry(b, 'b1', 2n, [[long, long]]), entry(a, 'a2', 3n)];
    const decoded = decode(encodeOtlpProtobuf(groupByResource(entries, MAPPING)));
    expect(decoded.resourceLogs.map((r) => r.resource.attributes[0]!.value.stringValue)).toEqual(['a', 'b']);
    expect(decoded.resourceLogs[0]!.scopeLogs[0]!.logRecords.map((r) => r.body)).toEqual([
      { stringValue: long },
      { stringValue: 'a2' },
    ]);
    expect(decoded.resourceLogs[1]!.scopeLogs[0]!.logRecords[0]!.attributes).toEqual(attrs([[long, long]]));
  });

  it('encodes OTLP/JSON with hex ids and decimal-string times, and gzips protobuf', () => {
    const s = stream([
      ['app', 'web'],
      ['level', 'debug'],
    ]);
    const entries = [entry(s, 'x', 42n, [['span_id', SPAN]])];
    const json = encodePushBody(entries, { protocol: 'otlp', encoding: 'json', ...MAPPING });
    expect(json.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(json.body.toString('utf8'))).toEqual({
      resourceLogs: [
        {
          resource: { attributes: attrs([['service.name', 'web']]) },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: '42',
                  severityNumber: 5,
                  severityText: 'debug',
                  body: { stringValue: 'x' },
                  spanId: SPAN,
                },
              ],
            },
          ],
        },
      ],
    });
    const pb = encodePushBody(entries, { protocol: 'otlp', encoding: 'protobuf', ...MAPPING });
    expect(pb.headers).toEqual({ 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(decode(gunzipSync(pb.body)).resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.severityText).toBe('debug');
  });

  it("has OpenTelemetry's severity numbers", () => {
    expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'INFO', 'nope'].map(severityNumber)).toEqual([
      1, 5, 9, 13, 17, 21, 9, 0,
    ]);
  });
});

describe('OTLP answers and URLs', () => {
  it('reads a partial success, protobuf and JSON', () => {
    const pb = Buffer.from(
      Response.encode(
        Response.fromObject({ partialSuccess: { rejectedLogRecords: 3, errorMessage: 'too old' } }),
      ).finish(),
    );
    expect(otlpPartialSuccess(pb, 'application/x-protobuf')).toEqual({ rejected: 3, message: 'too old' });
    expect(otlpPartialSuccess(Buffer.alloc(0), 'application/x-protobuf')).toBeUndefined();
    const json = Buffer.from(JSON.stringify({ partialSuccess: { rejectedLogRecords: '2', errorMessage: 'x' } }));
    expect(otlpPartialSuccess(json, 'application/json')).toEqual({ rejected: 2, message: 'x' });
    expect(otlpPartialSuccess(Buffer.from('{"partialSuccess":{}}'), 'application/json')).toBeUndefined();
    expect(otlpPartialSuccess(Buffer.from([0x0a, 0x05, 0x08]), 'application/x-protobuf')).toBeUndefined();
    // google.rpc.Status { code = 1; message = 2 }
    const status = Buffer.concat([Buffer.from([0x08, 0x03, 0x12, 0x03]), Buffer.from('bad')]);
    expect(otlpFailureText(status, 'application/x-protobuf')).toBe('bad');
    expect(otlpFailureText(Buffer.from('plain'), 'text/plain')).toBe('plain');
  });

  it("retries only OTLP's retryable statuses", () => {
    const statuses = [200, 206, 400, 408, 429, 500, 502, 503, 504];
    expect(statuses.map(classifyOtlpStatus)).toEqual([
      'success',
      'success',
      'reject',
      'reject',
      'retry',
      'reject',
      'retry',
      'retry',
      'retry',
    ]);
  });

  it("appends Loki's /otlp/v1/logs to a host, /v1/logs to a collector url with no path", () => {
    expect(resolvePushUrl({ host: 'http://loki:3100', protocol: 'otlp' })).toBe('http://loki:3100/otlp/v1/logs');
    expect(resolvePushUrl({ host: 'http://gw/loki/', protocol: 'otlp' })).toBe('http://gw/loki/otlp/v1/logs');
    expect(resolvePushUrl({ url: 'http://collector:4318', protocol: 'otlp' })).toBe('http://collector:4318/v1/logs');
    expect(resolvePushUrl({ url: 'http://alloy:4318/custom/logs', protocol: 'otlp' })).toBe(
      'http://alloy:4318/custom/logs',
    );
    expect(resolvePushUrl({ host: 'http://loki:3100' })).toBe('http://loki:3100/loki/api/v1/push');
  });
});
