// The window logic of the cardinality guard, on a fake clock (pure logic, no I/O).
import { describe, expect, it } from 'vitest';
import { LabelGuard } from '../src/label-guard.js';

function guard(maxValues: number | false, maxStreams: number | false, windowMillis = 1000) {
  let now = 0;
  const reports: Array<[string, number, string]> = [];
  const g = new LabelGuard(
    { maxValues, maxStreams, windowMillis, protectedNames: new Set(['app']) },
    (name, count, reason) => reports.push([name, count, reason]),
    () => now,
  );
  return { g, reports, advance: (ms: number) => (now += ms) };
}

describe('LabelGuard', () => {
  it('demotes a label name past its distinct values within the window, once, keeping static labels', () => {
    const { g, reports } = guard(3, false);
    for (let i = 0; i < 3; i++)
      expect(
        g.check([
          ['app', 'a'],
          ['user', String(i)],
        ]),
      ).toBeUndefined();
    expect(
      g.check([
        ['app', 'a'],
        ['user', '3'],
      ]),
    ).toEqual({ labels: [['app', 'a']], demoted: [['user', '3']] });
    expect(
      g.check([
        ['app', 'a'],
        ['user', '0'],
      ]),
    ).toEqual({ labels: [['app', 'a']], demoted: [['user', '0']] });
    expect(reports).toEqual([['user', 4, 'values']]);
  });

  it('values older than the window do not count', () => {
    const { g, reports, advance } = guard(3, false);
    for (let i = 0; i < 3; i++) g.check([['user', String(i)]]);
    advance(1001);
    for (let i = 3; i < 6; i++) expect(g.check([['user', String(i)]])).toBeUndefined();
    expect(reports).toEqual([]);
  });

  it('the stream cap demotes the label of the stream with most values, deterministically', () => {
    const run = () => {
      const { g, reports } = guard(100, 10);
      const out = [];
      for (let a = 0; a < 5; a++)
        for (let b = 0; b < 5; b++)
          out.push(
            g.check([
              ['a', `${a}`],
              ['b', `${b}`],
            ]),
          );
      return { out, reports };
    };
    const first = run();
    expect(first.reports).toEqual([['b', 5, 'streams']]);
    expect(run()).toEqual(first);
  });

  it('false disables both', () => {
    const { g, reports } = guard(false, false);
    for (let i = 0; i < 1000; i++) expect(g.check([['user', String(i)]])).toBeUndefined();
    expect(reports).toEqual([]);
  });
});
