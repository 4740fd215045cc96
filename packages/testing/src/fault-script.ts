/** The queue of fault steps consumed by push requests. */
import type { FaultStep } from './types.js';

function isNonNegativeFinite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

function isStatus(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 999;
}

/** Throws a TypeError when `step` is not a valid {@link FaultStep}. */
export function assertFaultStep(step: unknown): asserts step is FaultStep {
  if (step === 'reset') return;
  if (isStatus(step)) return;
  if (typeof step === 'object' && step !== null) {
    const s = step as Record<string, unknown>;
    if ('status' in s && isStatus(s.status)) {
      if (s.retryAfter !== undefined && typeof s.retryAfter !== 'string' && typeof s.retryAfter !== 'number') {
        throw new TypeError('FaultStep.retryAfter must be a string or a number');
      }
      if (s.body !== undefined && typeof s.body !== 'string') throw new TypeError('FaultStep.body must be a string');
      return;
    }
    if ('delayMillis' in s && isNonNegativeFinite(s.delayMillis)) return;
    if ('hangMillis' in s && isNonNegativeFinite(s.hangMillis)) return;
  }
  throw new TypeError(`invalid fault step: ${JSON.stringify(step)}`);
}

/** Short description recorded in `ReceivedRequest.fault`. */
export function describeFaultStep(step: FaultStep): string {
  if (step === 'reset') return 'reset';
  if (typeof step === 'number') return `status:${step}`;
  if ('status' in step) return `status:${step.status}`;
  if ('delayMillis' in step) return `delay:${step.delayMillis}`;
  return `hang:${step.hangMillis}`;
}

/** FIFO of fault steps; each push request takes one. */
export class FaultScript {
  private steps: FaultStep[] = [];

  push(steps: readonly FaultStep[]): void {
    for (const s of steps) assertFaultStep(s);
    this.steps.push(...steps);
  }

  next(): FaultStep | undefined {
    return this.steps.shift();
  }

  get pending(): number {
    return this.steps.length;
  }

  clear(): void {
    this.steps = [];
  }
}
