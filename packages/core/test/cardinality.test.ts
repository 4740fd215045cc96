// The cardinality guard end to end: what the receiver stores when a label takes 10 000 values.
import { describe, expect, it } from 'vitest';
import type { LokiError } from '../src/errors.js';
import { LokiSDK } from '../src/sdk-entry.js';
import { client, receiver } from './helpers.js';

describe('cardinality guard', () => {
  it('10 000 distinct label_user_id values are all stored, streams stay under the cap, reported once', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, { labels: { app: 'shop' } });
    for (let i = 0; i < 10_000; i++) c.push({ message: `m${i}`, level: 'info', label_user_id: i });
    expect((await c.flush()).ok).toBe(true);
    const entries = r.entries();
    expect(entries).toHaveLength(10_000);
    expect(r.streams().length).toBeLessThanOrEqual(101);
    for (const e of entries) expect(e.labels.app).toBe('shop');
    const last = entries.find((e) => e.line === 'm9999')!;
    expect(last.labels).toEqual({ app: 'shop', level: 'info' });
    expect(last.metadata).toEqual({ user_id: '9999' });
    const reports = errors.filter((e) => e.code === 'ERR_LOKI_CARDINALITY');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.label).toBe('user_id');
    expect(reports[0]!.entries).toBe(101);
    expect(c.stats().demotedLabels).toEqual({ user_id: 101 });
    await c.close();
  });

  it('the direct SDK: 10 000 label_user_id values all stored, its app and environment labels never demoted', async () => {
    const r = await receiver();
    const errors: LokiError[] = [];
    const sdk = new LokiSDK().init({
      appName: 'shop',
      environment: 'prod',
      endpoints: { loki: r.pushUrl },
      printToConsole: false,
      exitHook: false,
      onError: (e: LokiError) => errors.push(e),
    });
    for (let i = 0; i < 10_000; i++) sdk.info(`m${i}`, { label_user_id: String(i) });
    expect((await sdk.flush()).ok).toBe(true);
    const entries = r.entries();
    expect(entries).toHaveLength(10_000);
    expect(r.streams().length).toBeLessThanOrEqual(101);
    for (const e of entries) expect([e.labels.app, e.labels.environment]).toEqual(['shop', 'prod']);
    expect(entries.find((e) => e.line === 'm9999')!.metadata).toEqual({ user_id: '9999' });
    expect(errors.filter((e) => e.code === 'ERR_LOKI_CARDINALITY').map((e) => e.label)).toEqual(['user_id']);
    expect(sdk.stats()!.demotedLabels).toEqual({ user_id: 101 });
    await sdk.close();
  });

  it("without the guard the receiver answers Loki's 429 for streams past its active-stream limit", async () => {
    const r = await receiver({ limits: { maxGlobalStreamsPerUser: 200 } });
    const { client: c, errors } = client(r, {
      labelMaxValues: false,
      maxStreams: false,
      retryMaxAttempts: 1,
      offlineBuffer: false,
    });
    for (let i = 0; i < 300; i++) c.push({ message: `m${i}`, label_user_id: i });
    await c.flush();
    expect(r.streams()).toHaveLength(200);
    expect(
      errors.some((e) => e.status === 429 && /Maximum active stream limit exceeded/.test(e.responseBody ?? '')),
    ).toBe(true);
    await c.close();
  });

  it('with the guard the same run is stored whole under that limit', async () => {
    const r = await receiver({ limits: { maxGlobalStreamsPerUser: 200 } });
    const { client: c } = client(r);
    for (let i = 0; i < 300; i++) c.push({ message: `m${i}`, label_user_id: i });
    expect((await c.flush()).ok).toBe(true);
    expect(r.entries()).toHaveLength(300);
    await c.close();
  });
});
