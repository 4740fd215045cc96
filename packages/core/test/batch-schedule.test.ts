import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchClock, fitsInBatch, isBatchDue, isFull } from '../src/batch-schedule.js';
import type { LokiEntry } from '../src/record.js';

const options = { batchMaxEntries: 3, batchMaxBytes: 100, batchIntervalMillis: 1000 };
const stream = { key: '{app="t"}', labels: [['app', 't']] as const, lastNs: 0n };
const entry = (bytes: number): LokiEntry => ({
  stream,
  timestampNs: 1n,
  line: 'x',
  metadata: undefined,
  bytes,
  seq: 0,
});

describe('when a batch is due', () => {
  it('the size rule: the first entry always goes, then up to batchMaxEntries and batchMaxBytes', () => {
    expect(fitsInBatch(0, 0, entry(500), options)).toBe(true);
    expect(fitsInBatch(1, 60, entry(40), options)).toBe(true);
    expect(fitsInBatch(1, 60, entry(41), options)).toBe(false);
    expect(fitsInBatch(3, 3, entry(1), options)).toBe(false);
  });

  it('full by entries or bytes', () => {
    expect(isFull(3, 3, options)).toBe(true);
    expect(isFull(1, 100, options)).toBe(true);
    expect(isFull(2, 99, options)).toBe(false);
  });

  it('due when full, when in a hurry, or when the oldest entry is batchIntervalMillis old; never when empty', () => {
    expect(isBatchDue(0, 0, 0, true, 5000, options)).toBe(false);
    expect(isBatchDue(3, 3, 4500, false, 5000, options)).toBe(true);
    expect(isBatchDue(1, 1, 4500, true, 5000, options)).toBe(true);
    expect(isBatchDue(1, 1, 4001, false, 5000, options)).toBe(false);
    expect(isBatchDue(1, 1, 4000, false, 5000, options)).toBe(true);
  });
});

describe('the batch clock', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 10_000 }));
  afterEach(() => void vi.useRealTimers());

  it('pumps batchIntervalMillis after the first waiting entry, not later ones', () => {
    const pump = vi.fn();
    const clock = new BatchClock(1000, pump, () => false);
    clock.queued(false);
    expect(clock.oldestSince).toBe(10_000);
    vi.advanceTimersByTime(600);
    clock.queued(false); // the timer runs for the oldest entry
    expect(clock.oldestSince).toBe(10_000);
    vi.advanceTimersByTime(399);
    expect(pump).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(pump).toHaveBeenCalledTimes(1);
  });

  it('a full queue pumps on the next turn of the loop, once however many entries fill it', () => {
    const pump = vi.fn();
    const clock = new BatchClock(1000, pump, () => false);
    clock.queued(true);
    clock.queued(true);
    clock.pumpSoon();
    expect(pump).not.toHaveBeenCalled();
    vi.advanceTimersToNextTimer(); // the setImmediate
    expect(pump).toHaveBeenCalledTimes(1);
  });

  it("rearm waits only what is left of the oldest entry's interval", () => {
    const pump = vi.fn();
    const clock = new BatchClock(1000, pump, () => false);
    clock.oldestSince = Date.now() - 700;
    clock.rearm(true);
    vi.advanceTimersByTime(299);
    expect(pump).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(pump).toHaveBeenCalledTimes(1);
    clock.rearm(false); // nothing waits: no timer
    vi.advanceTimersByTime(5000);
    expect(pump).toHaveBeenCalledTimes(1);
  });

  it('an emptied queue has no age; stop() cancels the interval; a spent client schedules nothing', () => {
    const pump = vi.fn();
    let spent = false;
    const clock = new BatchClock(1000, pump, () => spent);
    clock.queued(false);
    clock.emptied();
    expect(clock.oldestSince).toBeUndefined();
    clock.stop();
    vi.advanceTimersByTime(5000);
    expect(pump).not.toHaveBeenCalled();
    spent = true;
    clock.pumpSoon();
    vi.runAllTimers();
    expect(pump).not.toHaveBeenCalled();
  });
});
