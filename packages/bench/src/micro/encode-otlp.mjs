// Micro-benchmark: core's hand-written OTLP encoder (otlp-mapping.ts + encode-otlp-protobuf.ts) against
// @opentelemetry/otlp-transformer's ProtobufLogsSerializer on the same 5 000-entry batches. Ours is timed from
// our entries (mapping included); the transformer from the SDK's ReadableLogRecords built beforehand (not timed:
// the SDK builds them at each log call). Decides whether core keeps its own encoder (ours at most theirs).
//   node src/micro/encode-otlp.mjs [--reps=15]
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { entryCases } from './entry-cases.mjs';
import { flag, interleave, verdict } from './interleave.mjs';
import { loadCoreSource } from './load-source.mjs';

const reps = Number(flag('reps', 15));
const { groupByResource } = await loadCoreSource('otlp-mapping');
const { encodeOtlpProtobuf } = await loadCoreSource('encode-otlp-protobuf');
// Trace fields stay attributes on both sides (the cases have no span id): the same work.
const mapping = { levelLabel: 'level', traceContext: false };
const SEVERITY = { info: 9, error: 17 };

/** The cases' entries on streams with real labels (`{app="bench", env="prod"}` + a level), as core makes them. */
function labelled(c) {
  const entries = [];
  for (const [g, group] of c.groups.entries()) {
    const labels = [...group.stream.key.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]);
    const streams = ['info', 'error'].map((level) => ({
      key: `${group.stream.key}${level}`,
      labels: [...labels, ['level', level]].sort(([a], [b]) => (a < b ? -1 : 1)),
      lastNs: 0n,
    }));
    group.entries.forEach((e, i) => entries.push({ ...e, stream: streams[(i + g) % 2] }));
  }
  return entries;
}

/** The same records as the OpenTelemetry SDK holds them: one resource object per stream, like a LoggerProvider. */
function readableRecords(entries) {
  const resources = new Map();
  const scope = { name: '' };
  return entries.map((e) => {
    const attrs = Object.fromEntries(e.stream.labels.filter(([n]) => n !== 'level'));
    if ('app' in attrs) {
      attrs['service.name'] = attrs.app;
      delete attrs.app;
    }
    const key = JSON.stringify(attrs);
    if (!resources.has(key)) resources.set(key, resourceFromAttributes(attrs));
    const level = e.stream.labels.find(([n]) => n === 'level')[1];
    const time = [Number(e.timestampNs / 1_000_000_000n), Number(e.timestampNs % 1_000_000_000n)];
    return {
      hrTime: time,
      hrTimeObserved: time,
      severityText: level,
      severityNumber: SEVERITY[level],
      body: e.line,
      resource: resources.get(key),
      instrumentationScope: scope,
      attributes: Object.fromEntries(e.metadata ?? []),
      droppedAttributesCount: 0,
    };
  });
}

const fmt = (s) => `${s.median.toFixed(0)} ns (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
let allMet = true;
console.log(`OTLP protobuf encoder, ns per entry, median (min–max) of ${reps} interleaved runs, 5 000-entry batches`);
for (const c of entryCases()) {
  const entries = labelled(c);
  const records = readableRecords(entries);
  const ours = () => encodeOtlpProtobuf(groupByResource(entries, mapping));
  const theirs = () => ProtobufLogsSerializer.serializeRequest(records);
  const bytes = { ours: ours().length, theirs: theirs().length };
  const r = interleave({ ours, 'otlp-transformer': theirs }, c.entries, { reps });
  const met = verdict(r.ours.median, r['otlp-transformer'].median);
  if (met !== 'MET') allMet = false;
  const ratio = (r['otlp-transformer'].median / r.ours.median).toFixed(2);
  console.log(`  ${c.name.padEnd(32)} ours ${fmt(r.ours)}  otlp-transformer ${fmt(r['otlp-transformer'])}`);
  console.log(
    `  ${''.padEnd(32)} ours <= otlp-transformer: ${met} (${ratio}×); bytes ours ${bytes.ours}, ` +
      `theirs ${bytes.theirs} (theirs adds observed time and an empty scope per record batch)`,
  );
}
console.log(`all cases: ${allMet ? 'MET' : 'NOT MET'}`);
