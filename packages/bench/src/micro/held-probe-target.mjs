// pino target for held-pino-memory.mjs: our transport, plus answers about this worker's memory over a
// BroadcastChannel ('held-probe'): { gc } collects first (needs --expose-gc), { snapshot: file } writes a
// heap snapshot, { track: millis, file } a snapshot of what is allocated in the next millis and still alive
// (with allocation stacks). Each answer: memoryUsage(), heap spaces, thread-stream's writes, space samples.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import v8 from 'node:v8';
import { BroadcastChannel } from 'node:worker_threads';
import transport from '@loki-sdk/pino-loki-transport';

async function track(millis, file) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
  await new Promise((resolve) => setTimeout(resolve, millis));
  const chunks = [];
  const onChunk = (m) => chunks.push(m.params.chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.off('HeapProfiler.addHeapSnapshotChunk', onChunk); // stopTracking streams a second snapshot
  await session.post('HeapProfiler.stopTrackingHeapObjects');
  writeFileSync(file, chunks.join(''));
  session.disconnect();
}

export default function probe(options) {
  const stream = transport(options);
  const writes = { n: 0, chars: 0, max: 0 };
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    writes.n++;
    writes.chars += chunk.length;
    writes.max = Math.max(writes.max, chunk.length);
    return write(chunk, ...rest);
  };
  // Heap spaces (MB) every 10 ms, when they change.
  const t0 = Date.now();
  const samples = [];
  let last = '';
  const sampler = setInterval(() => {
    const mb = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size >> 20]));
    const ab = process.memoryUsage().arrayBuffers >> 20;
    const key = `new=${mb.new_space} old=${mb.old_space} lo=${mb.large_object_space} ab=${ab} writes=${writes.n}`;
    if (key !== last) samples.push(`${Date.now() - t0}ms ${key}`);
    last = key;
  }, 10);
  sampler.unref();
  const channel = new BroadcastChannel('held-probe');
  channel.unref();
  channel.onmessage = async ({ data }) => {
    if (data.track) await track(data.track, data.file);
    if (data.gc) for (let k = 0; k < 3; k++) globalThis.gc?.();
    if (data.snapshot) v8.writeHeapSnapshot(data.snapshot);
    const spaces = v8.getHeapSpaceStatistics();
    channel.postMessage({ mem: process.memoryUsage(), spaces, writes, samples });
  };
  return stream;
}
