// Medians per scenario and subject over the runs, with the targets they are checked against.
import { summary } from './stats.mjs';
import { targets } from './targets.mjs';

const perRun = {
  nsPerCall: (r) => (r.child === undefined ? undefined : r.child.loopNs / r.child.calls),
  mainNsPerCall: (r) => (r.child === undefined ? undefined : (r.child.eluAllActiveMs * 1e6) / r.child.calls),
  cpuNsPerCall: (r) => (r.child?.cpuMs === undefined ? undefined : (r.child.cpuMs * 1e6) / r.child.calls),
  deliveredPerSec: (r) => r.receiver.deliveredPerSec,
  lost: (r) => r.receiver.lost,
  bytesPerEntry: (r) => r.receiver.bytesPerEntry,
  requests: (r) => r.receiver.requests,
  entriesPerRequest: (r) => r.receiver.entriesPerRequest,
  rssPeakMB: (r) => r.child?.rssPeakMB,
  gcNsPerCall: (r) => (r.child?.gcMs === undefined ? undefined : (r.child.gcMs * 1e6) / r.child.calls),
  heldEntries: (r) => r.child?.heldEntries,
  rssPerHeldEntry: (r) => (r.child?.heldEntries ? r.child.rssGrowthBytes / r.child.heldEntries : undefined),
  bytesPerHeldEntry: (r) => (r.child?.heldEntries ? r.child.heldEntryBytes / r.child.heldEntries : undefined),
  eldP99Ms: (r) => r.child?.eldP99Ms,
  eldMaxMs: (r) => r.child?.eldMaxMs,
  lagMillis: (r) => r.receiver.lagMillis,
  receiverCpuMs: (r) => r.receiverCpuMs,
  rssBeforeMB: (r) => r.outage?.rssBeforeMB,
  rssPeakDuringMB: (r) => r.outage?.rssPeakDuringMB,
  rssEndOfOutageMB: (r) => r.outage?.rssEndOfOutageMB,
  recoveryMillis: (r) => r.outage?.recoveryMillis,
  storedAfterRestart: (r) => r.outage?.storedAfterRestart,
};

export function aggregate(scenarios, runs) {
  const out = scenarios.map((s) => {
    const rows = s.subjects.map((subject) => {
      const rs = runs.filter((r) => r.scenario === s.id && r.subject === subject);
      const row = { subject, runs: rs.length };
      for (const [key, f] of Object.entries(perRun)) row[key] = summary(rs.map(f));
      row.lostMax = rs.length === 0 ? undefined : Math.max(...rs.map((r) => r.receiver.lost));
      row.outcomes = [...new Set(rs.map((r) => r.outcome))];
      row.statusCounts = {};
      for (const r of rs)
        for (const [k, v] of Object.entries(r.receiver.statusCounts))
          row.statusCounts[k] = (row.statusCounts[k] ?? 0) + v;
      row.stderr = rs.map((r) => r.stderrTail).find((t) => t !== undefined);
      return row;
    });
    return { id: s.id, kind: s.kind, title: s.title, params: s.params, reps: s.reps, rows };
  });
  return { scenarios: out, targets: targets(out, runs) };
}
