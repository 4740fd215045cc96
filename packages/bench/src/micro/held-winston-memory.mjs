// Where winston-ours's memory per held entry goes (bench scenario held-300k, outside the bench): winston with our
// transport (its delivery worker), Loki down (a closed port), N entries of the bench's record held; then the main
// thread's heap spaces and the process's RSS by kind of mapping (Linux). NULL=1: winston-null instead (the floor:
// winston alone, same burst; nothing held, the figure is per call).
//   node --expose-gc src/micro/held-winston-memory.mjs [N=300000]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import v8 from 'node:v8';
import winston from 'winston';
import { LokiTransport } from '@loki-sdk/winston-loki-transport';
import { fields, MESSAGE } from '../records.mjs';

const n = Number(process.argv[2] ?? 300_000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));
const MB = (x) => (x / 1048576).toFixed(1);

class NullTransport extends winston.Transport {
  log(_info, callback) {
    callback();
  }
}
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
await new Promise((resolve) => server.close(resolve));
const transport = process.env.NULL ? new NullTransport() : new LokiTransport({ host: `http://127.0.0.1:${port}` });
const logger = winston.createLogger({ transports: [transport] });

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

async function report(tag) {
  for (let k = 0; k < 3; k++) {
    globalThis.gc?.();
    await sleep(100);
  }
  const heap = v8
    .getHeapSpaceStatistics()
    .filter((s) => s.space_size > 0)
    .map((s) => `${s.space_name.replace('_space', '')}=${MB(s.space_size)}`);
  console.log(`${tag}: rss ${MB(process.memoryUsage.rss())} main heap ${heap.join(' ')}`);
  return { rss: process.memoryUsage.rss(), maps: rssByMapping() };
}

await sleep(500); // the delivery worker starts
const r0 = await report('before');
for (let s = 0; s < n; s += 1000) {
  for (let i = s; i < Math.min(n, s + 1000); i++) logger.info(MESSAGE, fields(i));
  await tick();
}
let held = n;
for (let k = 0; !process.env.NULL && k < 600; k++) {
  const stats = transport.stats();
  held = stats.bufferedEntries;
  if (stats.bufferedEntries + stats.entriesDropped >= n) break;
  await sleep(100);
}
if (process.env.NULL) await sleep(1000);
const r1 = await report('after');
const per = (k) => ((((r1.maps[k] ?? 0) - (r0.maps[k] ?? 0)) * 1048576) / held).toFixed(0);
const kinds = Object.keys(r1.maps).filter((k) => Math.abs(per(k)) >= 1);
console.log(
  `held ${held}; RSS growth per entry ${((r1.rss - r0.rss) / held) | 0} B; by mapping (B per entry): ${kinds
    .map((k) => `${k} ${per(k)}`)
    .join(', ')}`,
);
process.exit(0);
