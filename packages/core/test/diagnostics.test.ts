import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_CHANNELS, type BatchEvent, type DroppedEvent } from '../src/diagnostics.js';
import { client, receiver, until } from './helpers.js';

const subscriptions: Array<[string, (message: unknown) => void]> = [];
afterEach(() => {
  for (const [name, fn] of subscriptions.splice(0)) diagnosticsChannel.unsubscribe(name, fn);
});
function listen<T>(name: string): T[] {
  const seen: T[] = [];
  const fn = (message: unknown): void => void seen.push(message as T);
  diagnosticsChannel.subscribe(name, fn);
  subscriptions.push([name, fn]);
  return seen;
}

describe('diagnostics_channel events', () => {
  it('batch-sent carries the entries, bytes, status and duration of each acknowledged request', async () => {
    const sent = listen<BatchEvent>(DIAGNOSTICS_CHANNELS.batchSent);
    const r = await receiver();
    const { client: c } = client(r, { basicAuth: { username: 'u', password: 'secret-pw' } });
    for (let i = 0; i < 3; i++) c.push({ message: `m${i}` });
    await c.flush();
    const mine = sent.filter((e) => e.client === c);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ entries: 3, attempt: 1, status: 204, outcome: 'success' });
    expect(mine[0]!.bytes).toBe(r.stats().bodyBytes);
    expect(mine[0]!.durationMillis).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify({ ...mine[0], client: undefined })).not.toContain('secret-pw');
    expect(r.entries()).toHaveLength(3);
  });

  it('batch-failed, offline and online follow a 503 then a 204; dropped events add up to droppedByReason', async () => {
    const failed = listen<BatchEvent>(DIAGNOSTICS_CHANNELS.batchFailed);
    const offline = listen<{ client: object }>(DIAGNOSTICS_CHANNELS.offline);
    const online = listen<{ client: object }>(DIAGNOSTICS_CHANNELS.online);
    const dropped = listen<DroppedEvent>(DIAGNOSTICS_CHANNELS.entriesDropped);
    const r = await receiver();
    const { client: c } = client(r, {
      retryInitialDelayMillis: 10,
      bufferMaxEntries: 2,
      maxLineBytes: 10,
      oversizedLine: 'drop',
    });
    r.failNext({ status: 503 });
    c.push({ message: 'a' });
    c.push({ message: 'b' });
    c.push({ message: 'far too long for ten bytes' });
    await c.flush();
    await until(() => online.length > 0);
    expect(failed.filter((e) => e.client === c).map((e) => [e.status, e.outcome])).toEqual([[503, 'retry']]);
    expect(offline.filter((e) => e.client === c)).toHaveLength(1);
    expect(online.filter((e) => e.client === c)).toHaveLength(1);
    const byReason: Record<string, number> = {};
    for (const e of dropped.filter((d) => d.client === c)) byReason[e.reason] = (byReason[e.reason] ?? 0) + e.entries;
    const stats = c.stats().droppedByReason as Record<string, number>;
    expect(byReason).toEqual(Object.fromEntries(Object.entries(stats).filter(([, n]) => n > 0)));
    expect(byReason.line_too_long).toBe(1);
    expect(
      r
        .entries()
        .map((e) => e.line)
        .sort(),
    ).toEqual(['a', 'b']);
  });
});
