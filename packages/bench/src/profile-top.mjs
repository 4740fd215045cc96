// Reads a V8 .cpuprofile (from `node src/run.mjs --profile=DIR`) and prints the top frames by self
// time and by total time:  node src/profile-top.mjs <file.cpuprofile> [count]
import { readFileSync } from 'node:fs';

const [file, countText] = process.argv.slice(2);
const count = Number(countText ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample time: the deltas between samples, charged to the sampled node.
const selfMicros = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}
const totalMicros = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const label = (n) => {
  const f = n.callFrame;
  const where = f.url
    ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/packages\//, '')}:${f.lineNumber + 1}`
    : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

const self = new Map();
const total = new Map();
for (const [id, micros] of selfMicros) {
  const key = label(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + micros);
  // Each frame on the stack once (recursion counted once).
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = label(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + micros);
  }
}

const print = (title, map) => {
  console.log(`\n${title} (of ${(totalMicros / 1000).toFixed(0)} ms sampled)`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(v / 1000).toFixed(1).padStart(9)} ms ${((100 * v) / totalMicros).toFixed(1).padStart(5)}%  ${k}`);
  }
};
print('self time', self);
print('total time', total);
