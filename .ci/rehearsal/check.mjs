// Asks the receiver, over Loki's query API as Grafana would, what it stored for each case given
// (node check.mjs <receiver url> case...): one line per package and case, with the expected text.
const [url, ...cases] = process.argv.slice(2);
const expected = {
  esm: ['core', 'pino', 'winston'],
  cjs: ['core', 'pino', 'winston'],
  ts: ['core', 'pino', 'winston'],
  slim: ['core', 'pino', 'winston'],
};
let failures = 0;
let passed = 0;
for (const kase of cases) {
  for (const via of expected[kase] ?? ['pino', 'winston']) {
    const q = new URL('/loki/api/v1/query_range', url);
    q.searchParams.set('query', `{app="rehearsal", case="${kase}", via="${via}"}`);
    q.searchParams.set('since', '1h');
    q.searchParams.set('limit', '100');
    const body = await (await fetch(q)).json();
    const lines = (body.data?.result ?? []).flatMap((s) => s.values.map((v) => v[1]));
    const ok = lines.length === 1 && lines[0].includes(`order placed (${via} ${kase})`);
    if (ok) passed++;
    else failures++;
    console.log(
      `  ${ok ? 'ok  ' : 'FAIL'} ${kase}/${via}: ${lines.length} stored${ok ? '' : ` ${JSON.stringify(lines)}`}`,
    );
  }
}
console.log(`rehearsal: ${passed} passed, ${failures} failed`);
process.exit(failures === 0 && passed > 0 ? 0 : 1);
