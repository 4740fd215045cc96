// What the trace context costs a core push(): traceContext off, on with no active span, on inside a span.
// Interleaved rounds in one process, medians; prints the added ns per call and the target as MET / NOT MET.
//   node src/micro/trace-cost.mjs [--rounds=9] [--calls=100000]
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createLokiClient } from '@loki-sdk/core';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const rounds = arg('rounds', 9);
const calls = arg('calls', 100_000);

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const span = trace.wrapSpanContext({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
});
const inSpan = (fn) => context.with(trace.setSpan(context.active(), span), fn);

const plain = (i) => ({ message: 'GET /api/users 200', level: 'info', userId: i });
// The same three fields given by the app itself: what a span's fields cost as metadata, capture aside.
const withFields = (i) => ({
  message: 'GET /api/users 200',
  level: 'info',
  userId: i,
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  trace_flags: '01',
});
const variants = {
  off: { traceContext: false, wrap: (fn) => fn() },
  'by hand': { traceContext: false, wrap: (fn) => fn(), record: withFields },
  'no span': { traceContext: true, wrap: (fn) => fn() },
  'in span': { traceContext: true, wrap: inSpan },
};

// Nothing listens on port 9: entries stay held (no sending competes for the CPU); each round's client closes at once.
async function round({ traceContext, wrap, record = plain }) {
  const client = createLokiClient({
    host: 'http://127.0.0.1:9',
    labels: { app: 'bench' },
    traceContext,
    exitHook: false,
    batchIntervalMillis: 60_000,
    closeTimeoutMillis: 0,
    onError: () => {},
  });
  const ns = wrap(() => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) client.push(record(i));
    return Number(process.hrtime.bigint() - start) / calls;
  });
  await client.close();
  return ns;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
await round(variants.off); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const [name, variant] of Object.entries(variants)) results[name].push(await round(variant));
}
const m = Object.fromEntries(Object.entries(results).map(([name, xs]) => [name, median(xs)]));
for (const [name, xs] of Object.entries(results)) {
  console.log(
    `${name.padEnd(8)} ${m[name].toFixed(0).padStart(6)} ns/push  [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`,
  );
}
const noSpanAdded = m['no span'] - m.off;
const spanAdded = m['in span'] - m.off;
console.log(
  `added with no active span: ${noSpanAdded.toFixed(0)} ns/push; inside a span: ${spanAdded.toFixed(0)} ns/push ` +
    `(the same three fields given by hand: ${(m['by hand'] - m.off).toFixed(0)} ns/push)`,
);
// "Within noise": the no-span cost at most 5% above traceContext off.
const met = m['no span'] <= m.off * 1.05;
console.log(
  `target: no active span within 5% of traceContext: false: ${(m['no span'] / m.off).toFixed(3)}x ${met ? 'MET' : 'NOT MET'}`,
);
