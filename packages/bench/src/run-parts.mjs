// What every run shares: the child's parameters and deadline, the calls it makes, how its outcome and
// figures are written down, and the console line per run.
import { startChild } from './child-run.mjs';
import { SUBJECTS } from './subjects.mjs';

export function log(text) {
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
  if (scenario.kind === 'held') return 120_000;
  return 150_000 + (p.preSeconds + p.outageSeconds + p.postSeconds) * 1000;
}

/** The child for `subject` in `scenario` against the receiver at `url`, with the scenario's parameters and deadline. */
export function startSubject(scenario, subject, url, nodeArgs) {
  const { kind, params } = childParams(scenario);
  return startChild({ subject, scenario: kind, url, params, deadlineMillis: deadlineFor(scenario), nodeArgs });
}

export function calls(scenario) {
  const p = scenario.params;
  if (scenario.kind === 'burst') return p.n;
  if (scenario.kind === 'steady') return Math.round(p.rate * p.seconds);
  if (scenario.kind === 'held') return p.n;
  return Math.round(p.rate * (p.preSeconds + p.outageSeconds + p.postSeconds));
}

export function describeRun(run) {
  const r = run.child;
  const parts = [`${run.subject.padEnd(13)}`];
  if (r !== undefined) {
    parts.push(`${(r.loopNs / r.calls).toFixed(0).padStart(6)} ns/call`);
    parts.push(`main ${((r.eluAllActiveMs * 1e6) / r.calls).toFixed(0).padStart(6)} ns/call`);
    parts.push(`rss ${r.rssPeakMB.toFixed(0)} MB`);
    if (run.scenarioKind === 'steady' || run.scenarioKind === 'outage')
      parts.push(`eld p99 ${r.eldP99Ms.toFixed(1)} ms`);
    if (run.scenarioKind === 'held' && r.heldEntries !== undefined) {
      parts.push(`held ${r.heldEntries}, ${(r.rssGrowthBytes / r.heldEntries).toFixed(0)} B RSS per entry`);
      parts.push(`${(r.heldEntryBytes / r.heldEntries).toFixed(0)} B counted`);
    }
  }
  if (!SUBJECTS[run.subject].floor && run.scenarioKind !== 'held') {
    const m = run.receiver;
    parts.push(`stored ${m.stored}/${run.calls}`);
    parts.push(`${Math.round(m.deliveredPerSec)} entries/s`);
    parts.push(`${m.bytesPerEntry === undefined ? '-' : m.bytesPerEntry.toFixed(1)} B/entry`);
    parts.push(`${m.requests} req ${JSON.stringify(m.statusCounts)}`);
  }
  parts.push(run.outcome);
  return parts.join('  ');
}

export function outcomeOf(done) {
  if (done.killed) return 'did not finish (killed at deadline)';
  if (done.result === undefined) return `crashed (exit ${done.exitCode ?? done.signal})`;
  if (done.lingered) return `finish ${done.result.finish}; did not exit by itself`;
  return `finish ${done.result.finish}`;
}

/** RSS samples are kept only where they tell a story (the outage); elsewhere the peak is enough. */
export function slim(result, kind) {
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

export function sleep(millis) {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
