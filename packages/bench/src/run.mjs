// `pnpm bench`: every subject, every scenario, each in a fresh child process, against the
// Loki-compatible receiver of @loki-sdk/testing running here in the parent.
//   node src/run.mjs [--quick | --full] [--reps=N] [--subjects=a,b] [--scenarios=a,b] [--limits=off] [--profile=DIR]
//     [--no-write]
//   node src/run.mjs --report=docs/benchmarks/results.json   (re-render the tables and chart from a saved run)
//   node src/run.mjs --footprint [--no-write]   (tarball and install sizes, import times: footprint.mjs)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { machineInfo } from './machine.mjs';
import { plan } from './plan.mjs';
import { aggregate, renderMarkdown, renderConsole } from './report.mjs';
import { renderChart } from './chart.mjs';
import { log } from './run-parts.mjs';
import { runOutage } from './run-outage.mjs';
import { runSequential } from './run-sequential.mjs';
import { SUBJECTS } from './subjects.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

// --footprint: only install sizes and load times (footprint.mjs), no logging runs.
if (flag('footprint')) {
  const { runFootprint } = await import('./footprint.mjs');
  await runFootprint({ write: !flag('no-write') });
  process.exit(0);
}

const mode = flag('quick') ? 'quick' : flag('full') ? 'full' : 'default';
const onlySubjects = option('subjects')?.split(',');
const onlyScenarios = option('scenarios')?.split(',');
const repsOverride = option('reps') === undefined ? undefined : Number(option('reps'));
// Loki's own defaults (6 MiB ingestion burst, 4 MiB per gRPC message) unless --limits=off.
const limitsOff = option('limits') === 'off';
// Loki's service_name / detected_level additions are off: they cost the receiver CPU on the same cores
// as the subjects, and the figures compare clients. Stream sharding is on, as in Loki (`shard_streams`):
// without it one hot stream is held to the per-stream 3 MB/s, which Loki lifts by sharding; an OTLP
// subject is one stream (Loki indexes only service_name of it) and lost 14% of the 1M burst to that.
const lokiLike = { discoverServiceName: false, discoverLogLevels: false, shardStreams: true };
const receiverOptions = limitsOff ? { ...lokiLike, limits: { ingestionBurstBytes: 0, maxRecvMsgBytes: 0 } } : lokiLike;
// --profile=DIR: every child writes V8 CPU profiles (main thread and pino's worker) into DIR.
const profileDir = option('profile');
const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
const outDir = new URL('../../../docs/benchmarks/', import.meta.url);
const setup = { receiverOptions, nodeArgs };

const startedAt = Date.now();
// --report=FILE: no runs; the tables and chart are rendered again from a saved results.json.
const reportFrom = option('report');
const saved = reportFrom === undefined ? undefined : JSON.parse(readFileSync(reportFrom, 'utf8'));
const planned = plan(saved?.meta.mode ?? mode);
const scenarios =
  saved !== undefined
    ? saved.scenarios.map((s) => ({ ...planned.find((p) => p.id === s.id), ...s }))
    : planned
        .filter((s) => onlyScenarios === undefined || onlyScenarios.includes(s.id))
        .map((s) => ({
          ...s,
          reps: repsOverride ?? s.reps,
          subjects: s.subjects.filter((x) => onlySubjects === undefined || onlySubjects.includes(x)),
        }))
        .filter((s) => s.subjects.length > 0);

const machine = saved?.meta ?? machineInfo();
log(
  `loki-sdk bench, mode ${mode}${limitsOff ? ', receiver limits off' : ''}: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, node ${machine.node}`,
);

const runs = saved?.runs ?? [];
for (const scenario of saved === undefined ? scenarios : []) {
  log(`\n## ${scenario.title} (${scenario.reps} repetition${scenario.reps === 1 ? '' : 's'})`);
  for (let rep = 1; rep <= scenario.reps; rep++) {
    if (scenario.kind === 'outage') {
      runs.push(...(await runOutage(scenario, rep, setup)));
    } else {
      // Subjects interleaved within each repetition, so machine noise hits them alike.
      for (const subject of scenario.subjects) runs.push(await runSequential(scenario, subject, rep, setup));
    }
  }
}

const elapsedSeconds = Math.round((Date.now() - startedAt) / 1000);
const results = aggregate(scenarios, runs);
const meta = saved?.meta ?? {
  ...machine,
  mode,
  limitsOff,
  elapsedSeconds,
  subjects: Object.fromEntries(Object.entries(SUBJECTS).map(([k, v]) => [k, { title: v.title, config: v.config }])),
};
process.stdout.write('\n' + renderConsole(results, meta) + '\n');

const partial = onlySubjects !== undefined || onlyScenarios !== undefined;
// The main files hold complete runs at Loki's limits; a run with --limits=off is written beside them.
const base = meta.limitsOff ? 'results-limits-off' : 'results';
if (!flag('no-write') && (!partial || meta.limitsOff)) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(new URL(`${base}.md`, outDir), renderMarkdown(results, meta));
  if (!meta.limitsOff) writeFileSync(new URL('chart.svg', outDir), renderChart(results, meta));
  writeFileSync(
    new URL(`${base}.json`, outDir),
    JSON.stringify(
      {
        meta,
        scenarios: scenarios.map(({ id, title, params, reps, subjects }) => ({ id, title, params, reps, subjects })),
        runs,
      },
      null,
      1,
    ) + '\n',
  );
  log(`\nwrote docs/benchmarks/${base}.md${meta.limitsOff ? '' : ', chart.svg'}, ${base}.json (${elapsedSeconds} s)`);
} else {
  log(`\nnot written (${partial ? 'partial run' : '--no-write'}); ${elapsedSeconds} s`);
}
