// pino's own share of held-pino-memory.mjs: the same burst through pino.transport('pino/file' to /dev/null),
// the main thread's heap spaces and RSS before and after (the worker here only writes).
//   node --expose-gc src/micro/held-pino-floor.mjs [N=300000]
import { once } from 'node:events';
import v8 from 'node:v8';
import pino from 'pino';
import { fields, MESSAGE } from '../records.mjs';

const n = Number(process.argv[2] ?? 300_000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));
const MB = (x) => (x / 1048576).toFixed(1);
const transport = pino.transport({ target: 'pino/file', options: { destination: '/dev/null' } });
await once(transport, 'ready');
const logger = pino(transport);

async function report(tag) {
  for (let k = 0; k < 3; k++) {
    globalThis.gc?.();
    await sleep(100);
  }
  const heap = v8
    .getHeapSpaceStatistics()
    .filter((s) => s.space_size > 0)
    .map((s) => `${s.space_name.replace('_space', '')}=${MB(s.space_size)}`);
  console.log(tag, 'rss', MB(process.memoryUsage.rss()), heap.join(' '));
  return process.memoryUsage.rss();
}

const rss0 = await report('before');
for (let s = 0; s < n; s += 1000) {
  for (let i = s; i < Math.min(n, s + 1000); i++) logger.info(fields(i), MESSAGE);
  await tick();
}
await sleep(1000);
const rss1 = await report('after');
console.log(`RSS growth per call ${((rss1 - rss0) / n) | 0} B`);
process.exit(0);
