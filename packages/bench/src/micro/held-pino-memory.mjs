// Where pino-ours's memory per held entry goes (bench scenario held-300k, outside the bench): pino with our
// transport in its real worker, Loki down (a closed port), N entries of the bench's record held; then each
// thread's heap spaces, the worker's ArrayBuffers, and the process's RSS by kind of mapping (Linux).
//   node --expose-gc src/micro/held-pino-memory.mjs [N=300000]
// Env: WORKER_GC=0 does not collect the worker before reading (as the bench: it collects the main thread only);
// SAMPLES=1 prints the worker's heap spaces over time; TRACK=millis [TRACK_AFTER=millis] writes a snapshot of
// what the worker allocated in that window and still holds (TRACK_FILE); YOUNG=MB caps the worker's young
// generation (pino.transport's worker.resourceLimits); --trace-gc-nvp shows each isolate's scavenges.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import v8 from 'node:v8';
import { BroadcastChannel } from 'node:worker_threads';
import pino from 'pino';
import { getLokiStats } from '@loki-sdk/pino-loki-transport';
import { fields, MESSAGE } from '../records.mjs';

const n = Number(process.argv[2] ?? 300_000);
const env = process.env;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));
const MB = (x) => (x / 1048576).toFixed(1);

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
await new Promise((resolve) => server.close(resolve));
const worker = env.YOUNG ? { resourceLimits: { maxYoungGenerationSizeMb: Number(env.YOUNG) } } : {};
const target = new URL('./held-probe-target.mjs', import.meta.url).href;
const transport = pino.transport({ target, options: { host: `http://127.0.0.1:${port}` }, worker });
await once(transport, 'ready');
const logger = pino(transport);
const channel = new BroadcastChannel('held-probe');
const ask = (message) =>
  new Promise((resolve) => {
    channel.onmessage = ({ data }) => resolve(data);
    channel.postMessage(message);
  });

/** RSS (MB) by kind of mapping: V8's 256 KiB pages, large anonymous ones (malloc: ArrayBuffers), files. */
function rssByMapping() {
  const out = {};
  let kind;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head !== null) {
      const kb = (parseInt(head[2], 16) - parseInt(head[1], 16)) / 1024;
      const anon = kb === 256 ? 'V8 pages' : kb > 8192 ? 'anon >8M (malloc)' : 'anon other';
      kind = head[3] === '' ? anon : head[3].startsWith('[') ? head[3] : 'files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss !== null) out[kind] = (out[kind] ?? 0) + Number(rss[1]) / 1024;
  }
  return out;
}

const spaces = (list) =>
  list
    .filter((s) => s.space_size > 0)
    .map((s) => `${s.space_name.replace('_space', '')}=${MB(s.space_size)}/${MB(s.space_used_size)}`)
    .join(' ');

async function report(tag, extra = {}) {
  for (let k = 0; k < 3; k++) {
    globalThis.gc?.();
    await sleep(100);
  }
  const w = await ask({ gc: env.WORKER_GC !== '0', ...extra });
  await sleep(200);
  const m = process.memoryUsage();
  const maps = rssByMapping();
  console.log(`${tag}: rss ${MB(m.rss)} | main heap ${spaces(v8.getHeapSpaceStatistics())} ab ${MB(m.arrayBuffers)}`);
  console.log(
    `${tag}: worker heap ${spaces(w.spaces)} ab ${MB(w.mem.arrayBuffers)} | writes ${JSON.stringify(w.writes)}`,
  );
  console.log(
    `${tag}: rss by mapping ${Object.entries(maps)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
  );
  if (env.SAMPLES) console.log(w.samples.join('\n'));
  return { rss: m.rss, w, maps };
}

const r0 = await report('before');
for (let s = 0; s < n; s += 1000) {
  for (let i = s; i < Math.min(n, s + 1000); i++) logger.info(fields(i), MESSAGE);
  await tick();
}
if (env.TRACK) {
  await sleep(Number(env.TRACK_AFTER ?? 0));
  await ask({ track: Number(env.TRACK), file: env.TRACK_FILE ?? 'track-worker.heapsnapshot' });
}
let stats;
for (;;) {
  stats = await getLokiStats(transport);
  if (stats.bufferedEntries + stats.entriesDropped >= n) break;
  await sleep(100);
}
const held = stats.bufferedEntries;
console.log(`held ${held}, counted ${(stats.bufferedBytes / held).toFixed(0)} B per entry`);
const r1 = await report('after');
const per = (a, b) => (((a - b) * 1048576) / held).toFixed(0);
console.log(
  `RSS growth per held entry ${((r1.rss - r0.rss) / held) | 0} B; by mapping (B per entry): ${Object.keys(r1.maps)
    .map((k) => `${k} ${per(r1.maps[k], r0.maps[k] ?? 0)}`)
    .join(', ')}`,
);
process.exit(0);
