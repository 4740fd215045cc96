// Micro-benchmark: entries held as bytes (core's compact queue) against entries held as objects, on the same
// 5 000-entry batches: the cost of packing an entry when queued, and of encoding a batch from packed entries
// (protobuf: their bytes copied; JSON: their strings decoded first) or from string entries.
//   node src/micro/encode-held.mjs [--reps=15]
import { entryCases } from './entry-cases.mjs';
import { flag, interleave } from './interleave.mjs';
import { loadCoreSource } from './load-source.mjs';

const reps = Number(flag('reps', 15));
const core = await loadCoreSource(['compact-queue', 'encode-protobuf', 'encode-json', 'stream-groups']);
const { CompactQueue, encodePushRequestProtobuf, encodePushRequestJson, groupByStream } = core;

/** The batch's entries in arrival order (streams interleaved, as a client queues them). */
function arrivalOrder(groups) {
  const out = [];
  for (let i = 0; out.length < groups.reduce((n, g) => n + g.entries.length, 0); i++) {
    for (const g of groups) if (i < g.entries.length) out.push({ ...g.entries[i], seq: out.length + 1 });
  }
  return out;
}

function pack(entries) {
  const queue = new CompactQueue();
  for (const e of entries) queue.push(e);
  return queue;
}

const fmt = (s) => `${s.median.toFixed(0)} ns (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
console.log(`held entries, ns per entry, median (min–max) of ${reps} interleaved runs, 5 000-entry batches`);
for (const c of entryCases()) {
  const entries = arrivalOrder(c.groups);
  const queue = pack(entries);
  const n = entries.length;
  const plain = groupByStream(entries);
  const packed = groupByStream(queue.front(n));
  if (!Buffer.from(encodePushRequestProtobuf(packed)).equals(Buffer.from(encodePushRequestProtobuf(plain)))) {
    throw new Error(`${c.name}: packed entries encode other bytes`);
  }
  const r = interleave(
    {
      pack: () => pack(entries),
      protobufStrings: () => encodePushRequestProtobuf(plain),
      protobufPacked: () => encodePushRequestProtobuf(groupByStream(queue.front(n))),
      jsonStrings: () => encodePushRequestJson(plain),
      jsonPacked: () => encodePushRequestJson(groupByStream(queue.front(n))),
    },
    n,
    { reps },
  );
  console.log(`  ${c.name}`);
  console.log(`    pack when queued ${fmt(r.pack)}`);
  console.log(`    protobuf batch: from strings ${fmt(r.protobufStrings)}, from bytes ${fmt(r.protobufPacked)}`);
  console.log(`    JSON batch:     from strings ${fmt(r.jsonStrings)}, from bytes ${fmt(r.jsonPacked)}`);
}
console.log(
  '(from bytes includes taking the entries out of the queue and grouping them by stream; from strings does not)',
);
