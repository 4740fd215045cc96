// The entries the encoder micro-benchmarks encode: one 5 000-entry batch (core's default batch size) over
// 4 streams, in two shapes (a pino-like line without metadata; a shorter line with two metadata pairs,
// as the core subject sends), each all ASCII or with an "é" in every entry.

const BATCH = 5000;
const STREAMS = ['{app="bench", env="prod"}', '{app="bench", env="dev"}', '{app="api"}', '{app="worker"}'];
const T0 = 1_795_631_666_919_123_456n;

function entry(stream, i, line, metadata) {
  let bytes = Buffer.byteLength(line);
  for (const [name, value] of metadata ?? []) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return { stream, timestampNs: T0 + BigInt(i) * 1_234_567n, line, metadata, bytes, seq: i };
}

function pinoLine(i, word) {
  return (
    `{"level":30,"time":${1795631666919 + i},"pid":4242,"hostname":"bench-host-1","reqId":${i},` +
    `"path":"/api/items/${i}","msg":"${word} handled in ${i % 97} ms"}`
  );
}

function build(shape, nonAscii) {
  const refs = STREAMS.map((key) => ({ key, labels: [], lastNs: 0n }));
  const groups = refs.map((stream) => ({ stream, entries: [] }));
  for (let i = 0; i < BATCH; i++) {
    const g = groups[i % groups.length];
    const e =
      shape === 'pino'
        ? entry(g.stream, i, pinoLine(i, nonAscii ? 'requête' : 'request'))
        : entry(g.stream, i, `${nonAscii ? 'requête' : 'request'} ${i} handled`, [
            ['trace_id', `4bf92f3577b34da6a3ce929d0e0e${(i % 10000).toString().padStart(4, '0')}`],
            ['user', nonAscii ? `josé-${i % 100}` : `user-${i % 100}`],
          ]);
    g.entries.push(e);
  }
  return groups;
}

/** [{ name, groups, entries }] */
export function entryCases() {
  return [
    { name: 'pino-like, ASCII', groups: build('pino', false) },
    { name: 'pino-like, "é"', groups: build('pino', true) },
    { name: 'core-like (2 metadata), ASCII', groups: build('core', false) },
    { name: 'core-like (2 metadata), "é"', groups: build('core', true) },
  ].map((c) => ({ ...c, entries: BATCH }));
}
