import { describe, expect, it } from 'vitest';
import { retryDecision } from '../src/answer-outcome.js';

const rules = { retryMaxAttempts: 3, offlineBuffer: false, retryInitialDelayMillis: 100, retryMaxDelayMillis: 5000 };
const now = 1_000_000;

describe('what happens after a retryable answer', () => {
  it('tried again after the backoff delay, or the delay Loki asked for (Retry-After)', () => {
    // attempt 1 waits in [initial/2, initial] (equal jitter, retry-policy.ts)
    const first = retryDecision(1, undefined, rules, false, undefined, now);
    expect(first.kind).toBe('retry');
    const delay = (first as { delayMillis: number }).delayMillis;
    expect(delay).toBeGreaterThanOrEqual(50);
    expect(delay).toBeLessThanOrEqual(100);
    expect(retryDecision(2, 1234, rules, false, undefined, now)).toEqual({ kind: 'retry', delayMillis: 1234 });
  });

  it('given up past retryMaxAttempts without the offline buffer', () => {
    expect(retryDecision(3, undefined, rules, false, undefined, now)).toEqual({
      kind: 'give-up',
      reason: 'retries_exhausted',
    });
  });

  it('kept past its attempts with the offline buffer on, probed at retryMaxDelayMillis; given up when closing', () => {
    const offline = { ...rules, offlineBuffer: true };
    expect(retryDecision(3, 10, offline, false, undefined, now)).toEqual({ kind: 'retry', delayMillis: 5000 });
    expect(retryDecision(7, undefined, offline, false, undefined, now)).toEqual({ kind: 'retry', delayMillis: 5000 });
    expect(retryDecision(3, undefined, offline, true, undefined, now)).toEqual({
      kind: 'give-up',
      reason: 'retries_exhausted',
    });
    expect(retryDecision(2, 10, offline, true, undefined, now)).toEqual({ kind: 'retry', delayMillis: 10 });
  });

  it('while draining at exit, a try that would come at or after the deadline is given up at once (exit_failed)', () => {
    expect(retryDecision(1, 500, rules, false, now + 501, now)).toEqual({ kind: 'retry', delayMillis: 500 });
    expect(retryDecision(1, 500, rules, false, now + 500, now)).toEqual({ kind: 'give-up', reason: 'exit_failed' });
    // exhausted wins over the deadline: the reason is the attempts
    expect(retryDecision(3, 500, rules, false, now + 10, now)).toEqual({
      kind: 'give-up',
      reason: 'retries_exhausted',
    });
  });
});
