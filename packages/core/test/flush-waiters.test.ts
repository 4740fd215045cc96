import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DROP_REASONS, type DropReason } from '../src/client-types.js';
import { FlushWaiters, type SettledCounts } from '../src/flush-waiters.js';
import type { LokiEntry } from '../src/record.js';

const stream = { key: '{app="t"}', labels: [['app', 't']] as const, lastNs: 0n };
const entry = (seq: number): LokiEntry => ({ stream, timestampNs: 1n, line: 'x', metadata: undefined, bytes: 1, seq });

/** The client's counts, kept by hand as the client keeps them. */
function counts(): SettledCounts & { droppedByReason: Record<DropReason, number> } {
  return {
    acknowledged: 0,
    partiallyRejected: 0,
    droppedByReason: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
  };
}

describe('flush waiters', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('resolves once every entry up to its target is settled, with what they came to', async () => {
    const c = counts();
    const flushes = new FlushWaiters(() => c);
    let answer: unknown;
    void flushes.wait(2, false, 1000, true, () => 0).then((a) => (answer = a));
    expect(flushes.waiting).toBe(true);
    flushes.acknowledged([entry(1), entry(2), entry(3)]); // entry 3 was pushed after the flush
    c.acknowledged += 3;
    flushes.check(3); // entry 3 is the oldest still held... it is settled too, but beyond the target
    await vi.advanceTimersByTimeAsync(0);
    expect(answer).toEqual({
      ok: true,
      acknowledged: 2,
      dropped: 0,
      droppedByReason: c.droppedByReason,
      partiallyRejected: 0,
      pending: 0,
      timedOut: false,
    });
    expect(flushes.waiting).toBe(false);
  });

  it('does not resolve while an entry up to its target is held', async () => {
    const flushes = new FlushWaiters(counts);
    let answered = false;
    void flushes.wait(2, false, 1000, true, () => 1).then(() => (answered = true));
    flushes.check(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(answered).toBe(false);
  });

  it('times out after timeoutMillis with what is still pending', async () => {
    const flushes = new FlushWaiters(counts);
    let answer: { ok: boolean; pending: number; timedOut: boolean } | undefined;
    void flushes.wait(5, false, 250, true, () => 4).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(249);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer).toMatchObject({ ok: false, pending: 4, timedOut: true });
    expect(flushes.waiting).toBe(false);
  });

  it('a loss makes one read answer not ok, not the ones after it; an unread answer tells nothing', () => {
    const c = counts();
    const flushes = new FlushWaiters(() => c);
    // Two entries dropped before any flush was called.
    c.droppedByReason.rejected = 2;
    expect(flushes.answerNow(2, true, 0).ok).toBe(false); // an adapter's own flush: unread
    const first = flushes.answerNow(2, false, 0);
    expect(first).toMatchObject({ ok: false, dropped: 2 });
    expect(flushes.answerNow(2, false, 0)).toMatchObject({ ok: true, dropped: 2 });
  });

  it('counts drops and partial rejects among the entries up to the target, by reason', async () => {
    const flushes = new FlushWaiters(counts);
    let answer:
      | {
          ok: boolean;
          dropped: number;
          partiallyRejected: number;
          acknowledged: number;
          droppedByReason: Record<DropReason, number>;
        }
      | undefined;
    void flushes.wait(3, false, 1000, true, () => 0).then((a) => (answer = a));
    flushes.dropped([entry(1), entry(4)], 'buffer_full');
    flushes.partiallyRejected([entry(2), entry(3)]);
    flushes.acknowledged([entry(2), entry(3)]);
    flushes.check(5);
    await vi.advanceTimersByTimeAsync(0);
    expect(answer).toMatchObject({ ok: false, dropped: 1, partiallyRejected: 2, acknowledged: 2 });
    expect(answer!.droppedByReason.buffer_full).toBe(1);
  });
});
