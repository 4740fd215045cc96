// The outage scenario: every shipper at once, each against its own receiver, which stops and comes back.
import { createLokiReceiver } from '@loki-sdk/testing';
import { receiverMeasures } from './measure.mjs';
import { calls, describeRun, log, outcomeOf, sleep, slim, startSubject } from './run-parts.mjs';

/** All shippers at once, each with its own receiver; the receivers go down and come back together. */
export async function runOutage(scenario, rep, setup) {
  const p = scenario.params;
  const entries = [];
  for (const subject of scenario.subjects) {
    const receiver = await createLokiReceiver(setup.receiverOptions);
    const child = startSubject(scenario, subject, receiver.url, setup.nodeArgs);
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
