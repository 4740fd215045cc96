// Interleaved timing for micro-benchmarks: each repetition times every target once, in an order that
// rotates, so drift of the shared machine (other processes, CPU frequency) hits all targets alike.
// The figure is the median over repetitions of ns per entry.
import { summary } from '../stats.mjs';

/** Calls `fn` `calls` times; ns per call. */
function timeCalls(fn, calls) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  return Number(process.hrtime.bigint() - start) / calls;
}

/**
 * `targets`: { name: () => unknown } encoding `entries` entries per call. Returns { name: summary of ns
 * per entry } after a warm-up of every target, `reps` repetitions of about `blockMs` each.
 */
export function interleave(targets, entries, { reps = 15, blockMs = 40 } = {}) {
  const names = Object.keys(targets);
  const calls = {};
  for (const name of names) {
    timeCalls(targets[name], 20); // warm-up: optimised code before anything is timed
    const perCall = timeCalls(targets[name], 10);
    calls[name] = Math.max(1, Math.round((blockMs * 1e6) / perCall));
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      samples[name].push(timeCalls(targets[name], calls[name]) / entries);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summary(samples[n])]));
}

/** "MET" / "NOT MET" for value <= limit. */
export function verdict(value, limit) {
  return value <= limit ? 'MET' : 'NOT MET';
}

/** Reads --name=value flags. */
export function flag(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
}
