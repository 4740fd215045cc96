// Micro-benchmark: core's protobuf encoder against protobufjs on the same 5 000-entry batches, ASCII and
// non-ASCII. Target: ours at most protobufjs' ns per entry on every case (medians of interleaved runs).
//   node src/micro/encode-protobuf.mjs [--reps=15] [--baseline=<checkout root>]
// --baseline adds that checkout's encoder as "before" (e.g. --baseline=/work/main).
import { Buffer } from 'node:buffer';
import { entryCases } from './entry-cases.mjs';
import { flag, interleave, verdict } from './interleave.mjs';
import { loadCoreSource } from './load-source.mjs';
import { encodeProtobufjs, toProtobufjsMessage } from './protobufjs-push.mjs';

const reps = Number(flag('reps', 15));
const baseline = flag('baseline', undefined);
const ours = (await loadCoreSource('encode-protobuf')).encodePushRequestProtobuf;
const before =
  baseline === undefined ? undefined : (await loadCoreSource('encode-protobuf', baseline)).encodePushRequestProtobuf;

const fmt = (s) => `${s.median.toFixed(0)} ns (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
let allMet = true;
console.log(`protobuf encoder, ns per entry, median (min–max) of ${reps} interleaved runs, 5 000-entry batches`);
for (const c of entryCases()) {
  const message = toProtobufjsMessage(c.groups);
  // Same bytes, or the comparison means nothing.
  if (!Buffer.from(ours(c.groups)).equals(Buffer.from(encodeProtobufjs(message)))) {
    throw new Error(`${c.name}: our bytes differ from protobufjs'`);
  }
  const targets = { ours: () => ours(c.groups), protobufjs: () => encodeProtobufjs(message) };
  if (before !== undefined) targets.before = () => before(c.groups);
  const r = interleave(targets, c.entries, { reps });
  const met = verdict(r.ours.median, r.protobufjs.median);
  if (met !== 'MET') allMet = false;
  const ratio = (r.protobufjs.median / r.ours.median).toFixed(2);
  const was = r.before === undefined ? '' : `  before ${fmt(r.before)}`;
  console.log(`  ${c.name.padEnd(32)} ours ${fmt(r.ours)}  protobufjs ${fmt(r.protobufjs)}${was}`);
  console.log(`  ${''.padEnd(32)} ours <= protobufjs: ${met} (protobufjs / ours = ${ratio}×)`);
}
console.log(`all cases: ${allMet ? 'MET' : 'NOT MET'} (protobufjs encodes a message built beforehand: not timed)`);
