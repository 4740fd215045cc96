import { describe, expect, it } from 'vitest';
import {
  closeRequested,
  everyBatchDue,
  isDraining,
  isSpent,
  nextState,
  type ClientState,
  type LifecycleEvent,
} from '../src/client-lifecycle.js';

function walk(events: LifecycleEvent[], from: ClientState = 'running'): ClientState {
  return events.reduce(nextState, from);
}

describe('client lifecycle', () => {
  it('close(): running, closing, closed', () => {
    expect(walk(['close'])).toBe('closing');
    expect(walk(['close', 'closed'])).toBe('closed');
    expect(walk(['close', 'close'])).toBe('closing');
  });

  it('the beforeExit flush makes every batch due, and the client runs on when it answers', () => {
    expect(walk(['before-exit'])).toBe('exit-flushing');
    expect(everyBatchDue('exit-flushing')).toBe(true);
    expect(walk(['before-exit', 'exit-flush-done'])).toBe('running');
    expect(everyBatchDue('running')).toBe(false);
  });

  it('a beforeExit flush starts only from running', () => {
    for (const s of ['closing', 'draining', 'draining-closing', 'closed', 'exited'] as const)
      expect(nextState(s, 'before-exit')).toBe(s);
  });

  it('close() during the beforeExit flush: closing stays when that flush answers', () => {
    expect(walk(['before-exit', 'close', 'exit-flush-done'])).toBe('closing');
  });

  it('the exit path ends the client: closed if close() was called, exited otherwise', () => {
    expect(walk(['exit'])).toBe('exited');
    expect(walk(['before-exit', 'exit'])).toBe('exited');
    expect(walk(['close', 'exit'])).toBe('closed');
    expect(closeRequested('exited')).toBe(false);
    expect(isSpent('exited')).toBe(true);
    // close() after the exit path: closed at once (spent already)
    expect(walk(['exit', 'close'])).toBe('closed');
  });

  it('deliverAtExit(): draining, or draining-closing when close() came before or during it', () => {
    expect(walk(['drain'])).toBe('draining');
    expect(walk(['before-exit', 'drain'])).toBe('draining');
    expect(walk(['close', 'drain'])).toBe('draining-closing');
    expect(walk(['drain', 'close'])).toBe('draining-closing');
    expect(walk(['drain', 'exit-flush-done'])).toBe('draining');
    expect(walk(['drain', 'exit'])).toBe('exited');
    expect(walk(['close', 'drain', 'exit'])).toBe('closed');
    expect(isDraining('draining-closing')).toBe(true);
    expect(closeRequested('draining-closing')).toBe(true);
    expect(closeRequested('draining')).toBe(false);
  });

  it('spent states stay spent', () => {
    for (const s of ['closed', 'exited'] as const) {
      for (const e of ['before-exit', 'exit-flush-done', 'drain'] as const) expect(nextState(s, e)).toBe(s);
      expect(isSpent(s)).toBe(true);
    }
    for (const s of ['running', 'exit-flushing', 'closing', 'draining', 'draining-closing'] as const)
      expect(isSpent(s)).toBe(false);
  });
});
