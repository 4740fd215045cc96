// Micro-benchmark: what one entry costs on core's push path (mapping to labels / metadata / line / time, and
// queueing), for the shapes the entry points hand core: a core record with fields, a labelled one, and the pino
// transport's entry (a line, a level, a time; with a label). Interleaved rounds, medians, ns per entry.
//   node src/micro/push-path.mjs [--reps=15] [--baseline=<checkout root>] [--held=1000] [--only=<shape prefix>]
// --held: bufferMaxEntries; above 20 000 nothing is dropped (the bench's burst: every entry queued, none dropped).
// --baseline adds that checkout's core as "before" (records pushed with push(), where it has no entry sink).
import { flag, interleave } from './interleave.mjs';
import { loadCoreSource } from './load-source.mjs';

const reps = Number(flag('reps', 15));
const baseline = flag('baseline', undefined);
const CALLS = 20_000;
const held = Number(flag('held', 1000));
const only = flag('only', '');
const ROUTES = ['/api/a', '/api/b', '/api/c', '/api/d'];

const shapes = {
  'core record, 2 fields': (i) => ({ message: 'GET /api/users 200', level: 'info', userId: i, path: '/api/users' }),
  // The record of the bench's core subject (README "Benchmarks").
  'core record, bench subject': (i) => ({
    level: 'info',
    message: 'request served',
    i,
    user: `u${i % 100}`,
    label_route: ROUTES[i % 4],
  }),
  'pino entry': (i) => ({
    line: `{"level":30,"time":${1795631666919 + i},"msg":"hi"}`,
    level: 'info',
    timestamp: 1795631666919 + i,
  }),
  'pino entry, 1 label': (i) => ({
    line: `{"level":30,"time":${1795631666919 + i},"msg":"hi"}`,
    level: 'info',
    timestamp: 1795631666919 + i,
    labels: { app: 'api' },
  }),
};
const isEntry = (name) => name.startsWith('pino');

// Nothing listens on port 9 and no batch is due: entries stay held; each call of a target pushes CALLS entries
// into a fresh client (closed at once).
function target(core, name) {
  const make = shapes[name];
  const options = {
    host: 'http://127.0.0.1:9',
    labels: { service: 'bench' },
    exitHook: false,
    batchIntervalMillis: 60_000,
    batchMaxEntries: 1_000_000,
    // Held entries stay few (the oldest dropped): the figure is the path's, not the garbage collector's.
    bufferMaxEntries: held,
    closeTimeoutMillis: 0,
    traceContext: false,
    onError: () => {},
  };
  const useSink = isEntry(name) && typeof core.adapter.createEntrySink === 'function';
  const inputs = Array.from({ length: CALLS }, (_, i) => make(i));
  return () => {
    const client = useSink ? core.adapter.createEntrySink(options) : core.root.createLokiClient(options);
    if (useSink) for (let i = 0; i < CALLS; i++) client.pushEntry(inputs[i]);
    else for (let i = 0; i < CALLS; i++) client.push(inputs[i]);
    void client.close();
  };
}

/** A checkout's core: records are pushed with the root's createLokiClient, entry inputs to the adapter's sink. */
async function coreOf(root) {
  return { root: await loadCoreSource('index', root), adapter: await loadCoreSource('adapter-entry', root) };
}
const ours = await coreOf();
const before = baseline === undefined ? undefined : await coreOf(baseline);
const fmt = (s) => `${s.median.toFixed(0)} ns (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
console.log(
  `push path, ns per entry, median (min–max) of ${reps} interleaved runs, ${CALLS} entries per client, ` +
    `bufferMaxEntries ${held}`,
);
for (const name of Object.keys(shapes).filter((n) => n.startsWith(only))) {
  const targets = { ours: target(ours, name) };
  if (before !== undefined) targets.before = target(before, name);
  const r = interleave(targets, CALLS, { reps });
  const was =
    r.before === undefined
      ? ''
      : `  before ${fmt(r.before)}  (ours / before = ${(r.ours.median / r.before.median).toFixed(2)})`;
  console.log(`  ${name.padEnd(28)} ours ${fmt(r.ours)}${was}`);
}
