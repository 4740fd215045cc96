// One subject in one scenario, alone, in a fresh child against a fresh receiver.
import { createLokiReceiver } from '@loki-sdk/testing';
import { receiverMeasures } from './measure.mjs';
import { calls, describeRun, log, outcomeOf, sleep, slim, startSubject } from './run-parts.mjs';

/** `setup`: the receiver's options and the children's extra node arguments. */
export async function runSequential(scenario, subject, rep, setup, attempt = 1) {
  const receiver = await createLokiReceiver(setup.receiverOptions);
  const parentCpu0 = process.cpuUsage();
  // held: the child collects garbage before it reads RSS.
  const nodeArgs = scenario.kind === 'held' ? [...setup.nodeArgs, '--expose-gc'] : setup.nodeArgs;
  const child = startSubject(scenario, subject, receiver.url, nodeArgs);
  await child.ready;
  child.go();
  const done = await child.done;
  if (done.result === undefined && !done.killed && attempt === 1) {
    // Most likely a package being rebuilt under us (its dist/ briefly gone): one more try.
    const why = done.stderrTail.split('\n').find((l) => /error/i.test(l)) ?? `exit ${done.exitCode ?? done.signal}`;
    log(`  [${rep}] ${subject} crashed before finishing (${why.trim().slice(0, 160)}); trying once more`);
    await receiver.close();
    await sleep(3000);
    return runSequential(scenario, subject, rep, setup, 2);
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
