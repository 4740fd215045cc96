/**
 * What an OTLP push costs against Loki 3.4.6's rate limits: the entries after `otlpToLokiPushRequest`, each
 * charged `EntryTotalSize` (line + structured metadata, `detected_level` excluded; pkg/util/entry_size.go) by the
 * tenant limit (distributor.go) and the per-stream limit (ingester stream.go `validateEntries`). Resource
 * attributes that are not index labels are copied into every entry's metadata, so they are charged per entry; and
 * all resources with the same index labels are one stream (one per-stream budget), which stream sharding splits.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createLokiReceiver, type LokiReceiver, type LokiReceiverOptions } from '../src/index.js';
import { nsAgo } from './helpers.js';
import { attrs, postOtlp, record, request, type ExportRequest } from './otlp-helpers.js';

const receivers: LokiReceiver[] = [];
async function fresh(options: LokiReceiverOptions): Promise<LokiReceiver> {
  // detected_level on: it is added, and must not be charged.
  const r = await createLokiReceiver({ discoverServiceName: false, discoverLogLevels: true, ...options });
  receivers.push(r);
  return r;
}
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

/**
 * One record whose metadata after the mapping is 53 bytes: `route` from the resource (5 + 9), `severity_number`
 * (15 + 1), `severity_text` (13 + 4) and the record attribute `user` (4 + 2).
 */
function oneRecord(lineBytes: number, offsetNs = 0n): ExportRequest {
  const line = 'x'.repeat(lineBytes);
  return request(
    { 'service.name': 'svc', route: '/checkout' },
    record(nsAgo(0, offsetNs), line, { severityNumber: 9, severityText: 'info', attributes: attrs({ user: 'u1' }) }),
  );
}
const METADATA_BYTES = 53;

describe('OTLP against the rate limits', () => {
  it('the per-stream limit charges line + metadata of the mapped entry (not detected_level): 1000 B fit a 1000 B burst, 1001 B do not', async () => {
    const limits = { perStreamRateBytesPerSecond: 1, perStreamBurstBytes: 1000 };
    const fits = await fresh({ limits });
    const ok = await postOtlp(fits.otlpLogsUrl, oneRecord(1000 - METADATA_BYTES), 'gzip protobuf');
    expect(ok.status, ok.message).toBe(204);
    expect(fits.entries()[0]!.metadata).toEqual({
      route: '/checkout',
      severity_number: '9',
      severity_text: 'info',
      user: 'u1',
      detected_level: 'info',
    });

    const over = await fresh({ limits });
    const refused = await postOtlp(over.otlpLogsUrl, oneRecord(1001 - METADATA_BYTES), 'gzip protobuf');
    expect(refused.status).toBe(429);
    expect(refused.message).toContain(
      'Per stream rate limit exceeded (limit: 1B/sec) while attempting to ingest for stream \'{service_name="svc"}\' totaling 1001B',
    );
    expect(over.entries()).toHaveLength(0);
  });

  it('the tenant burst charges the same bytes', async () => {
    const limits = { ingestionBurstBytes: 1000, perStreamRateBytesPerSecond: 0 };
    const fits = await fresh({ limits });
    expect((await postOtlp(fits.otlpLogsUrl, oneRecord(1000 - METADATA_BYTES), 'protobuf')).status).toBe(204);
    const over = await fresh({ limits });
    const refused = await postOtlp(over.otlpLogsUrl, oneRecord(1001 - METADATA_BYTES), 'protobuf');
    expect(refused.status).toBe(429);
    expect(refused.message).toContain("while attempting to ingest '1' lines totaling '1001' bytes");
  });

  it('resources that differ only in attributes Loki does not index share one stream and its budget', async () => {
    const limits = { perStreamRateBytesPerSecond: 1, perStreamBurstBytes: 1500 };
    const r = await fresh({ limits });
    const route = (name: string, offsetNs: bigint): ExportRequest =>
      request({ 'service.name': 'svc', route: name }, record(nsAgo(0, offsetNs), 'x'.repeat(900)));
    expect((await postOtlp(r.otlpLogsUrl, route('/a', 0n), 'protobuf')).status).toBe(204);
    // Another route is another resource but the same stream: 900 + 900 bytes are over its 1500.
    const second = await postOtlp(r.otlpLogsUrl, route('/b', 1n), 'protobuf');
    expect(second.status).toBe(429);
    expect(r.streams().map((s) => [s.stream, s.entries.length])).toEqual([['{service_name="svc"}', 1]]);
  });

  it("with shardStreams (Loki's default), a hot OTLP stream is split and each shard has its own budget", async () => {
    const limits = {
      perStreamRateBytesPerSecond: 1024,
      perStreamBurstBytes: 2048,
      shardStreamsDesiredRateBytesPerSecond: 1000,
    };
    const push = (offsetNs: bigint, n: number): ExportRequest =>
      request(
        { 'service.name': 'hot' },
        ...Array.from({ length: n }, (_, i) => record(nsAgo(0, offsetNs + BigInt(i)), `${i}`.padEnd(1000, '.'))),
      );
    const sharded = await fresh({ shardStreams: true, limits });
    expect((await postOtlp(sharded.otlpLogsUrl, push(0n, 2), 'protobuf')).status).toBe(204);
    const res = await postOtlp(sharded.otlpLogsUrl, push(10n, 3), 'protobuf');
    expect(res.status, res.message).toBe(204);
    expect(sharded.entries({ service_name: 'hot' })).toHaveLength(5);
    expect(sharded.streams().map((s) => s.stream)).toEqual([
      '{service_name="hot"}',
      '{__stream_shard__="0", service_name="hot"}',
      '{__stream_shard__="1", service_name="hot"}',
      '{__stream_shard__="2", service_name="hot"}',
    ]);

    const plain = await fresh({ limits });
    expect((await postOtlp(plain.otlpLogsUrl, push(0n, 2), 'protobuf')).status).toBe(204);
    const refused = await postOtlp(plain.otlpLogsUrl, push(10n, 3), 'protobuf');
    expect(refused.status).toBe(429);
    expect(refused.message).toContain('total ignored: 3 out of 3 for stream: {service_name="hot"}');
  });
});
