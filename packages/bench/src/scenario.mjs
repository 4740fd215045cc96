// One subject, one scenario, in a fresh process:
//   node scenario.mjs <subject> <burst|steady|held> <receiver-url> '<json params>'
// Protocol on stdout: `@@READY` once the subject is built, then it waits for a line on stdin (so the
// parent can start several children at once), logs, finishes, and prints `@@RESULT {json}`.
// Times: `Date.now()` for points shared with the parent (same machine clock), hrtime for durations.
import { createServer } from 'node:net';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { SUBJECTS } from './subjects.mjs';

const [subjectName, scenario, url, paramsText] = process.argv.slice(2);
const params = JSON.parse(paramsText ?? '{}');
const subject = SUBJECTS[subjectName];
if (subject === undefined) throw new Error(`unknown subject ${subjectName}`);

const MB = 1024 * 1024;
const rssSamples = []; // [ms since go, rss MB]
let goAt = 0;
let rssPeak = 0;
function sampleRss() {
  const rss = process.memoryUsage.rss();
  if (rss > rssPeak) rssPeak = rss;
  if (goAt !== 0) rssSamples.push([Date.now() - goAt, Math.round((rss / MB) * 10) / 10]);
}
const sampler = setInterval(sampleRss, 100);
sampler.unref();

function waitForGo() {
  return new Promise((resolve) => {
    process.stdin.once('data', () => {
      process.stdin.pause();
      process.stdin.unref?.();
      resolve();
    });
    process.stdout.write('@@READY\n');
  });
}

// Garbage collection on the main thread from go to the end (a worker's own collector is not seen here).
let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  if (goAt !== 0) for (const e of list.getEntries()) gcMs += e.duration;
});
gcObserver.observe({ entryTypes: ['gc'] });

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

/** As fast as possible, in chunks of `chunk` calls, yielding to the event loop between chunks. */
async function burst(app, n, chunk) {
  let loopNs = 0n;
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const t = process.hrtime.bigint();
    for (let i = start; i < end; i++) app.log(i);
    loopNs += process.hrtime.bigint() - t;
    await tick();
  }
  return { calls: n, loopNs: Number(loopNs) };
}

/** `rate` calls per second for `seconds`, catching up every 5 ms timer tick. */
async function steady(app, rate, seconds) {
  const total = Math.round(rate * seconds);
  const startNs = process.hrtime.bigint();
  let loopNs = 0n;
  let i = 0;
  while (i < total) {
    const elapsedS = Number(process.hrtime.bigint() - startNs) / 1e9;
    const due = Math.min(total, Math.floor(elapsedS * rate));
    if (due > i) {
      const t = process.hrtime.bigint();
      for (; i < due; i++) app.log(i);
      loopNs += process.hrtime.bigint() - t;
    }
    if (i < total) await sleep(5);
  }
  return { calls: total, loopNs: Number(loopNs), seconds: Number(process.hrtime.bigint() - startNs) / 1e9 };
}

/** A port nothing listens on: Loki down from the start. */
async function closedPortUrl() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Collects (when run with --expose-gc) until RSS stops falling, then reads it. */
async function settledRss() {
  let rss = Infinity;
  for (let k = 0; k < 5; k++) {
    globalThis.gc?.();
    await sleep(100);
    const now = process.memoryUsage.rss();
    if (now > rss * 0.99) return Math.min(now, rss);
    rss = now;
  }
  return rss;
}

/**
 * Loki down: `n` calls, then what holding them costs. Ours tell through stats when every entry is
 * held; RSS growth per entry is then compared with the bytes core counts for them (line + metadata).
 */
async function held(app, n) {
  const rss0 = await settledRss();
  const work = await burst(app, n, 1000);
  const deadline = Date.now() + 60_000;
  let stats;
  while (Date.now() < deadline) {
    stats = await app.heldStats?.();
    if (stats === undefined || stats.bufferedEntries + stats.entriesDropped >= n) break;
    await sleep(100);
  }
  const rss1 = await settledRss();
  return {
    ...work,
    heldEntries: stats?.bufferedEntries,
    heldEntryBytes: stats?.bufferedBytes,
    rssGrowthBytes: rss1 - rss0,
  };
}

const app = await subject.create(scenario === 'held' ? await closedPortUrl() : url);
await waitForGo();
goAt = Date.now();
sampleRss();

const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
const elu0 = performance.eventLoopUtilization();
const cpu0 = process.cpuUsage();

let work;
if (scenario === 'burst') work = await burst(app, params.n, params.chunk ?? 1000);
else if (scenario === 'steady') work = await steady(app, params.rate, params.seconds);
else if (scenario === 'held') work = await held(app, params.n);
else throw new Error(`unknown scenario ${scenario}`);
const loggedAt = Date.now();

const elu = performance.eventLoopUtilization(elu0);
eld.disable();
const finishStarted = Date.now();
// Held entries cannot be delivered (nothing listens): the process ends with them.
const finish = scenario === 'held' ? 'not asked' : await app.finish(params.finishTimeoutMillis ?? 60_000);
const finishedAt = Date.now();
// Main-thread busy time from the first call until delivered: the calls plus whatever the subject did
// later on the main thread (batching, encoding, HTTP). A worker thread's work is not in it.
const eluAll = performance.eventLoopUtilization(elu0);
const cpu = process.cpuUsage(cpu0);
sampleRss();
for (const e of gcObserver.takeRecords()) gcMs += e.duration;
gcObserver.disconnect();

const result = {
  subject: subjectName,
  scenario,
  ...work,
  goAt,
  loggedAt,
  finishMillis: finishedAt - finishStarted,
  finishedAt,
  finish,
  rssPeakMB: Math.round((rssPeak / MB) * 10) / 10,
  rssSamples,
  eldP50Ms: eld.percentile(50) / 1e6,
  eldP99Ms: eld.percentile(99) / 1e6,
  eldMaxMs: eld.max / 1e6,
  eluLogActiveMs: elu.active,
  eluLogUtilization: elu.utilization,
  eluAllActiveMs: eluAll.active,
  cpuMs: (cpu.user + cpu.system) / 1000,
  gcMs,
  stats: app.stats?.(),
};
process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`);
if (scenario === 'held') process.exit(0); // the held entries' exit drain to nowhere is bounded by closeTimeoutMillis
// A subject that keeps the process alive after finish() is noted by the parent (it kills at its deadline).
