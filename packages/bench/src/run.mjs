// `pnpm bench`: every subject, every scenario, each in a fresh child process, against the
// Loki-compatible receiver of @loki-sdk/testing running here in the parent.
//   node src/run.mjs [--quick | --full] [--reps=N] [--subjects=a,b] [--scenarios=a,b] [--limits=off] [--profile=DIR]
//     [--no-write]
//   node src/run.mjs --report=docs/benchmarks/results.json   (re-render the tables and chart from a saved run)
//   node src/run.mjs --footprint [--no-write]   (tarball and install sizes, import times: footprint.mjs)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createLokiReceiver } from '@loki-sdk/testing';
import { startChild } from './child-run.mjs';
import { machineInfo } from './machine.mjs';
import { receiverMeasures } from './measure.mjs';
import { plan } from './plan.mjs';
import { aggregate, renderMarkdown, renderConsole } from './report.mjs';
import { renderChart } from './chart.mjs';
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
// as the subjects, and the figures compare clients.
const discoveryOff = { discoverServiceName: false, discoverLogLevels: false };
const receiverOptions = limitsOff
  ? { ...discoveryOff, limits: { ingestionBurstBytes: 0, maxRecvMsgBytes: 0 } }
  : discoveryOff;
// --profile=DIR: every child writes V8 CPU profiles (main thread and pino's worker) into DIR.
const profileDir = option('profile');
const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
const outDir = new URL('../../../docs/benchmarks/', import.meta.url);

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
      runs.push(...(await runOutage(scenario, rep)));
    } else {
      // Subjects interleaved within each repetition, so machine noise hits them alike.
      for (const subject of scenario.subjects) runs.push(await runSequential(scenario, subject, rep));
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

// ---------------------------------------------------------------------------------------------

function log(text) {
  process.stdout.write(text + '\n');
}

function childParams(scenario) {
  if (scenario.kind === 'outage') {
    const p = scenario.params;
    return {
      kind: 'steady',
      params: { rate: p.rate, seconds: p.preSeconds + p.outageSeconds + p.postSeconds, finishTimeoutMillis: 90_000 },
    };
  }
  return { kind: scenario.kind, params: { ...scenario.params, finishTimeoutMillis: 60_000 } };
}

function deadlineFor(scenario) {
  const p = scenario.params;
  if (scenario.kind === 'burst') return 90_000 + p.n / 10; // 100 s for 100k calls... generous for every subject
  if (scenario.kind === 'steady') return 90_000 + p.seconds * 1000;
  return 150_000 + (p.preSeconds + p.outageSeconds + p.postSeconds) * 1000;
}

function calls(scenario) {
  const p = scenario.params;
  if (scenario.kind === 'burst') return p.n;
  if (scenario.kind === 'steady') return Math.round(p.rate * p.seconds);
  return Math.round(p.rate * (p.preSeconds + p.outageSeconds + p.postSeconds));
}

function describeRun(run) {
  const r = run.child;
  const parts = [`${run.subject.padEnd(13)}`];
  if (r !== undefined) {
    parts.push(`${(r.loopNs / r.calls).toFixed(0).padStart(6)} ns/call`);
    parts.push(`main ${((r.eluAllActiveMs * 1e6) / r.calls).toFixed(0).padStart(6)} ns/call`);
    parts.push(`rss ${r.rssPeakMB.toFixed(0)} MB`);
    if (run.scenarioKind !== 'burst') parts.push(`eld p99 ${r.eldP99Ms.toFixed(1)} ms`);
  }
  if (!SUBJECTS[run.subject].floor) {
    const m = run.receiver;
    parts.push(`stored ${m.stored}/${run.calls}`);
    parts.push(`${Math.round(m.deliveredPerSec)} entries/s`);
    parts.push(`${m.bytesPerEntry === undefined ? '-' : m.bytesPerEntry.toFixed(1)} B/entry`);
    parts.push(`${m.requests} req ${JSON.stringify(m.statusCounts)}`);
  }
  parts.push(run.outcome);
  return parts.join('  ');
}

function outcomeOf(done) {
  if (done.killed) return 'did not finish (killed at deadline)';
  if (done.result === undefined) return `crashed (exit ${done.exitCode ?? done.signal})`;
  if (done.lingered) return `finish ${done.result.finish}; did not exit by itself`;
  return `finish ${done.result.finish}`;
}

async function runSequential(scenario, subject, rep, attempt = 1) {
  const receiver = await createLokiReceiver(receiverOptions);
  const { kind, params } = childParams(scenario);
  const parentCpu0 = process.cpuUsage();
  const child = startChild({
    subject,
    scenario: kind,
    url: receiver.url,
    params,
    deadlineMillis: deadlineFor(scenario),
    nodeArgs,
  });
  await child.ready;
  child.go();
  const done = await child.done;
  if (done.result === undefined && !done.killed && attempt === 1) {
    // Most likely a package being rebuilt under us (its dist/ briefly gone): one more try.
    const why = done.stderrTail.split('\n').find((l) => /error/i.test(l)) ?? `exit ${done.exitCode ?? done.signal}`;
    log(`  [${rep}] ${subject} crashed before finishing (${why.trim().slice(0, 160)}); trying once more`);
    await receiver.close();
    await sleep(3000);
    return runSequential(scenario, subject, rep, 2);
  }
  // In-flight requests die with the child; give the receiver a moment to finish the last one it read.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const parentCpu = process.cpuUsage(parentCpu0);
  const n = calls(scenario);
  const goAt = done.result?.goAt ?? Date.now();
  const run = {
    scenario: scenario.id,
    scenarioKind: scenario.kind,
    subject,
    rep,
    calls: n,
    child: slim(done.result, scenario.kind),
    receiver: receiverMeasures(receiver, n, goAt),
    receiverCpuMs: (parentCpu.user + parentCpu.system) / 1000,
    outcome: outcomeOf(done),
    stderrTail: done.stderrTail || undefined,
  };
  if (done.result !== undefined && run.receiver.lastStoredAt !== undefined)
    run.receiver.lagMillis = run.receiver.lastStoredAt - done.result.loggedAt;
  await receiver.close();
  log(`  [${rep}] ${describeRun(run)}`);
  return run;
}

/** All shippers at once, each with its own receiver; the receivers go down and come back together. */
async function runOutage(scenario, rep) {
  const p = scenario.params;
  const { kind, params } = childParams(scenario);
  const entries = [];
  for (const subject of scenario.subjects) {
    const receiver = await createLokiReceiver(receiverOptions);
    const child = startChild({
      subject,
      scenario: kind,
      url: receiver.url,
      params,
      deadlineMillis: deadlineFor(scenario),
      nodeArgs,
    });
    entries.push({ subject, receiver, child });
  }
  await Promise.all(entries.map((e) => e.child.ready));
  for (const e of entries) e.child.go();
  const goAt = Date.now();
  await sleep(p.preSeconds * 1000);
  const downAt = Date.now();
  await Promise.all(entries.map((e) => e.receiver.stop()));
  log(`  [${rep}] receivers stopped for ${p.outageSeconds} s`);
  await sleep(p.outageSeconds * 1000);
  await Promise.all(entries.map((e) => e.receiver.start()));
  const upAt = Date.now();
  log(`  [${rep}] receivers started again`);
  const out = [];
  for (const e of entries) {
    const done = await e.child.done;
    await sleep(200);
    const n = calls(scenario);
    const m = receiverMeasures(e.receiver, n, done.result?.goAt ?? goAt);
    const r = done.result;
    const childGo = r?.goAt ?? goAt;
    const window = (samples, from, to) =>
      samples.filter(([t]) => t + childGo >= from && t + childGo <= to).map(([, rss]) => rss);
    const samples = r?.rssSamples ?? [];
    const before = window(samples, downAt - 2000, downAt);
    const during = window(samples, downAt, upAt);
    const run = {
      scenario: scenario.id,
      scenarioKind: scenario.kind,
      subject: e.subject,
      rep,
      calls: n,
      child: slim(r, 'outage'),
      receiver: m,
      outage: {
        rssBeforeMB: before.length ? before[before.length - 1] : undefined,
        rssPeakDuringMB: during.length ? Math.max(...during) : undefined,
        rssEndOfOutageMB: during.length ? during[during.length - 1] : undefined,
        // From the receiver's return until the last entry was stored.
        recoveryMillis: m.lastStoredAt !== undefined && m.lastStoredAt >= upAt ? m.lastStoredAt - upAt : undefined,
        storedAfterRestart: e.receiver.requests
          .filter((q) => q.receivedAt >= upAt)
          .reduce((a, q) => a + q.entriesStored, 0),
      },
      outcome: outcomeOf(done),
      stderrTail: done.stderrTail || undefined,
    };
    await e.receiver.close();
    log(
      `  [${rep}] ${describeRun(run)}  rss before/peak during outage ${run.outage.rssBeforeMB}/${run.outage.rssPeakDuringMB} MB`,
    );
    out.push(run);
  }
  return out;
}

/** RSS samples are kept only where they tell a story (the outage); elsewhere the peak is enough. */
function slim(result, kind) {
  if (result === undefined) return undefined;
  const { rssSamples, stats, ...rest } = result;
  const out = { ...rest };
  if (kind === 'outage') out.rssSamples = rssSamples.filter((_, i) => i % 5 === 0);
  if (stats !== undefined)
    out.stats = {
      entriesDropped: stats.entriesDropped,
      droppedByReason: stats.droppedByReason,
      requests: stats.requests,
      retries: stats.retries,
    };
  return out;
}

function sleep(millis) {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
