import { describe, expect, it } from 'vitest';
import {
  createLokiReceiver,
  DEFAULT_RECEIVER_LIMITS,
  encodePushRequestProtobuf,
  type LokiReceiver,
} from '../src/index.js';
import { ENCODING_NAMES, push, tsAgo, type PushBody, sharedReceiver, NO_DISCOVERY } from './helpers.js';

let receiver: LokiReceiver;
sharedReceiver((r) => (receiver = r));

function bigPush(lines: number, lineBytes: number, app = 'big'): PushBody {
  const values: Array<[string, string]> = [];
  for (let i = 0; i < lines; i++)
    values.push([tsAgo(0, BigInt(i)), String.fromCharCode(97 + (i % 26)).repeat(lineBytes)]);
  return { streams: [{ stream: { app }, values }] };
}

/** What Loki's distributor forwards: the accepted streams re-encoded, plus an 11-byte stream hash each. */
function forwardedSize(req: PushBody): number {
  const streams = req.streams.map((s) => ({
    labels: `{app="${s.stream.app}"}`,
    entries: s.values.map(([ts, line, metadata]) => ({ timestampNs: BigInt(ts), line, metadata })),
  }));
  return encodePushRequestProtobuf(streams).length + 11 * streams.length;
}

it('uses Loki 3.4.6 defaults, with the token-bucket rate off', () => {
  expect(DEFAULT_RECEIVER_LIMITS).toEqual({
    maxLineBytes: 262144,
    maxLabelNamesPerSeries: 15,
    maxLabelNameBytes: 1024,
    maxLabelValueBytes: 2048,
    rejectOldSamples: true,
    rejectOldSamplesMaxAgeMillis: 604800000,
    creationGracePeriodMillis: 600000,
    maxStructuredMetadataBytes: 65536,
    maxStructuredMetadataEntries: 128,
    maxRecvMsgBytes: 4194304,
    ingestionBurstBytes: 6291456,
    ingestionRateBytesPerSecond: undefined,
    outOfOrderWindowMillis: 3600000,
    perStreamRateBytesPerSecond: 3145728,
    perStreamBurstBytes: 15728640,
    maxEntriesLimitPerQuery: 5000,
    shardStreamsDesiredRateBytesPerSecond: 1572864,
    maxGlobalStreamsPerUser: 5000,
  });
});

describe.each(['json', 'protobuf+snappy'])('4 MiB gRPC message limit over %s', (encoding) => {
  it('answers 500 and stores nothing when the forwarded protobuf exceeds 4194304 bytes', async () => {
    const req = bigPush(17, 260000); // ~4.42 MB of lines: under the 6 MiB burst, over 4 MiB
    const res = await push(receiver.pushUrl, encoding, req);
    expect(res.status).toBe(500);
    const size = forwardedSize(req);
    expect(size).toBeGreaterThan(4194304);
    expect(res.body).toBe(
      `rpc error: code = ResourceExhausted desc = grpc: received message larger than max (${size} vs. 4194304)\n`,
    );
    expect(receiver.entries()).toEqual([]);
    expect(receiver.requests[0]).toMatchObject({ status: 500, entriesReceived: 17, entriesStored: 0 });
  });

  it('accepts a request just under the limit', async () => {
    const req = bigPush(16, 260000);
    expect(forwardedSize(req)).toBeLessThan(4194304);
    const res = await push(receiver.pushUrl, encoding, req);
    expect(res.status).toBe(204);
    expect(receiver.entries()).toHaveLength(16);
  });
});

it('answers 500 for many tiny entries: protobuf overhead counts towards 4 MiB, not towards the burst', async () => {
  const base = BigInt(Date.now()) * 1_000_000n;
  const values: Array<[string, string]> = [];
  for (let i = 0; i < 250_000; i++) values.push([(base + BigInt(i)).toString(), 'x']);
  const req: PushBody = { streams: [{ stream: { app: 'tiny' }, values }] };
  const res = await push(receiver.pushUrl, 'protobuf+snappy', req);
  expect(res.status).toBe(500);
  expect(res.body).toContain(`grpc: received message larger than max (${forwardedSize(req)} vs. 4194304)`);
  expect(receiver.entries()).toEqual([]);
});

it('counts only the accepted part towards maxRecvMsgBytes, and the 500 beats validation errors', async () => {
  const small = await createLokiReceiver({ ...NO_DISCOVERY, limits: { maxRecvMsgBytes: 1000 } });
  try {
    const partial = await push(small.pushUrl, 'json', {
      streams: [
        {
          stream: { app: 'x' },
          values: [
            [tsAgo(), 'x'.repeat(500)],
            [tsAgo(30 * 86400000), 'y'.repeat(2000)],
          ],
        },
      ],
    });
    expect(partial.status).toBe(400); // the 2000-byte entry is too old, so it is not forwarded
    expect(small.entries().map((e) => e.line.length)).toEqual([500]);

    const over = await push(small.pushUrl, 'json', {
      streams: [
        {
          stream: { app: 'x' },
          values: [
            [tsAgo(0, 1n), 'z'.repeat(1200)],
            [tsAgo(30 * 86400000), 'old'],
          ],
        },
      ],
    });
    expect(over.status).toBe(500);
    expect(over.body).toMatch(/grpc: received message larger than max \(\d+ vs\. 1000\)/);
    expect(small.entries()).toHaveLength(1);
  } finally {
    await small.close();
  }
});

describe('tenant ingestion burst', () => {
  it('answers 429 and stores nothing for a request above the 6 MiB default burst', async () => {
    const res = await push(receiver.pushUrl, 'gzip json', bigPush(25, 260000)); // 6.5 MB of lines
    expect(res.status).toBe(429);
    expect(res.body).toBe(
      "Ingestion rate limit exceeded for user fake (limit: 6291456 bytes/sec) while attempting to ingest '25' lines totaling '6500000' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased\n",
    );
    expect(receiver.entries()).toEqual([]);
  });

  it.each(ENCODING_NAMES)('counts line + structured-metadata bytes of accepted entries (%s)', async (encoding) => {
    const limited = await createLokiReceiver({ ...NO_DISCOVERY, limits: { ingestionBurstBytes: 100 } });
    try {
      const exact = await push(limited.pushUrl, encoding, {
        streams: [{ stream: { app: 'x' }, values: [[tsAgo(), 'a'.repeat(90), { k: '123456789' }]] }],
      });
      expect(exact.status).toBe(204);
      const over = await push(limited.pushUrl, encoding, {
        streams: [{ stream: { app: 'x' }, values: [[tsAgo(), 'b'.repeat(91), { k: '123456789' }]] }],
      });
      expect(over.status).toBe(429);
      expect(over.body).toContain("while attempting to ingest '1' lines totaling '101' bytes");
      // invalid entries are not charged; the 429 wins over the validation error and nothing is stored
      const mixed = await push(limited.pushUrl, encoding, {
        streams: [
          {
            stream: { app: 'x' },
            values: [
              [tsAgo(30 * 86400000), 'c'.repeat(500)],
              [tsAgo(), 'd'.repeat(101)],
            ],
          },
        ],
      });
      expect(mixed.status).toBe(429);
      expect(limited.entries().map((e) => e.line[0])).toEqual(['a']);
    } finally {
      await limited.close();
    }
  });
});

it('applies the opt-in token bucket per tenant', async () => {
  const limited = await createLokiReceiver({
    ...NO_DISCOVERY,
    authEnabled: true,
    limits: { ingestionRateBytesPerSecond: 1000, ingestionBurstBytes: 2000 },
  });
  try {
    const body = (c: string): PushBody => ({
      streams: [{ stream: { app: 'x' }, values: [[tsAgo(), c.repeat(1500)]] }],
    });
    expect((await push(limited.pushUrl, 'json', body('a'), { 'X-Scope-OrgID': 't1' })).status).toBe(204);
    const second = await push(limited.pushUrl, 'json', body('b'), { 'X-Scope-OrgID': 't1' });
    expect(second.status).toBe(429);
    expect(second.body).toContain('Ingestion rate limit exceeded for user t1 (limit: 1000 bytes/sec)');
    expect((await push(limited.pushUrl, 'json', body('c'), { 'X-Scope-OrgID': 't2' })).status).toBe(204);
    expect(limited.entries(undefined, { tenant: 't1' }).map((e) => e.line[0])).toEqual(['a']);
    expect(limited.entries(undefined, { tenant: 't2' }).map((e) => e.line[0])).toEqual(['c']);
  } finally {
    await limited.close();
  }
});

it('treats 0 as unlimited for the line and structured-metadata limits', async () => {
  const unlimited = await createLokiReceiver({
    ...NO_DISCOVERY,
    limits: { maxLineBytes: 0, maxStructuredMetadataEntries: 0 },
  });
  try {
    const meta: Record<string, string> = {};
    for (let i = 0; i < 200; i++) meta[`k${i}`] = 'v';
    const res = await push(unlimited.pushUrl, 'protobuf+snappy', {
      streams: [{ stream: { app: 'x' }, values: [[tsAgo(), 'x'.repeat(300000), meta]] }],
    });
    expect(res.status).toBe(204);
    expect(unlimited.entries()[0]?.line).toHaveLength(300000);
  } finally {
    await unlimited.close();
  }
});
