// `pnpm demo`: runs every example against LOKI_URL when set, else against a Loki-compatible receiver
// started here, and prints what Loki stored for each one. Needs no server at all.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { envValue } from '@loki-sdk/core';
import { createLokiReceiver } from '@loki-sdk/testing';

const examples = [
  { file: 'quick-start.mjs', title: 'Direct API quick start (initSdk, info, error, flush)', selector: '{app="demo"}' },
  { file: 'custom-instance.mjs', title: 'A custom LokiSDK instance', selector: '{app="custom-app"}' },
  {
    file: 'labels-and-metadata.mjs',
    title: 'Labels and structured metadata (core client)',
    selector: '{app="labels-demo"}',
  },
  {
    file: 'otlp-out.mjs',
    title: "OTLP out: protocol 'otlp' to Loki's /otlp/v1/logs",
    selector: '{service_name="otlp-demo"}',
    expect: 3,
  },
  { file: 'concurrent-workers.mjs', title: '5 worker threads x 10 logs', selector: '{app="concurrent"}', expect: 50 },
  { file: 'pino-pretty-and-loki.mjs', title: 'pino: pino-pretty on the console + Loki', selector: '{app="pino-demo"}' },
  { file: 'winston-console-and-loki.mjs', title: 'winston: Console + Loki', selector: '{app="winston-demo"}' },
  {
    file: 'express-pino-http.mjs',
    title: 'Express + pino-http: request logs and req.log',
    selector: '{app="express-demo"}',
    expect: 3,
  },
  { file: 'fastify.mjs', title: "Fastify's built-in pino logger", selector: '{app="fastify-demo"}', expect: 6 },
  { file: 'prometheus-metrics.mjs', title: 'Prometheus metrics', selector: '{app="metrics-demo"}', expect: 25 },
  {
    file: 'nestjs-pino.mjs',
    title: 'NestJS + nestjs-pino: Nest logs, request logs, req-bound handler logs',
    selector: '{app="nestjs-pino-demo"}',
    expect: 9,
  },
  {
    file: 'nestjs-winston.mjs',
    title: 'NestJS + nest-winston: Nest logs, handler logs, request logs',
    selector: '{app="nestjs-winston-demo"}',
    expect: 8,
  },
  {
    file: 'grafana-cloud.mjs',
    title: 'Grafana Cloud / multi-tenant (tenant + basic auth)',
    selector: '{app="cloud-demo"}',
    tenant: 'team-payments',
  },
];

const external = envValue('LOKI_URL');
const plain = external ? undefined : await createLokiReceiver();
// The multi-tenant example runs against a receiver with auth on, as a multi-tenant Loki has.
const multiTenant = external ? undefined : await createLokiReceiver({ authEnabled: true });

function run(file, url) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], {
      env: { ...process.env, LOKI_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function queryLoki(selector, tenant) {
  const url = new URL('/loki/api/v1/query_range', external);
  url.searchParams.set('query', selector);
  url.searchParams.set('since', '10m');
  url.searchParams.set('direction', 'forward');
  url.searchParams.set('limit', '100');
  const headers = { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' };
  if (tenant) headers['X-Scope-OrgID'] = tenant;
  const res = await fetch(url, { headers });
  const body = await res.json();
  return (body.data?.result ?? []).map((s) => ({
    labels: s.stream,
    entries: s.values.map(([ts, line, extra]) => ({
      timestampNs: BigInt(ts),
      line,
      metadata: extra?.structuredMetadata ?? {},
    })),
  }));
}

function fmtLabels(labels) {
  return `{${Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

let failures = 0;
for (const ex of examples) {
  const target = external ?? (ex.tenant ? multiTenant : plain).url;
  console.log(`\n=== ${ex.title}  [examples/${ex.file}]`);
  const { code, out } = await run(ex.file, target);
  const printed = out.trim();
  if (printed)
    console.log(
      printed
        .split('\n')
        .map((l) => `  | ${l}`)
        .join('\n'),
    );
  let streams;
  if (external) {
    await new Promise((r) => setTimeout(r, 1000)); // Loki's query path lags ingestion slightly
    streams = await queryLoki(ex.selector, ex.tenant);
  } else {
    const receiver = ex.tenant ? multiTenant : plain;
    streams = receiver.streams(ex.selector, ex.tenant ? { tenant: ex.tenant } : undefined);
  }
  const total = streams.reduce((n, s) => n + s.entries.length, 0);
  console.log(
    `  Loki stored ${total} entries in ${streams.length} stream(s)${ex.tenant ? ` for tenant "${ex.tenant}"` : ''}:`,
  );
  for (const s of streams) {
    console.log(`    ${fmtLabels(s.labels)}`);
    for (const e of s.entries.slice(0, 5)) {
      const time = new Date(Number(e.timestampNs / 1_000_000n)).toISOString();
      let md = Object.keys(e.metadata).length ? `  ${JSON.stringify(e.metadata)}` : '';
      if (md.length > 160) md = `${md.slice(0, 157)}...`;
      const line = e.line.length > 140 ? `${e.line.slice(0, 137)}...` : e.line;
      console.log(`      ${time}  ${line}${md}`);
    }
    if (s.entries.length > 5) console.log(`      ... ${s.entries.length - 5} more`);
  }
  if (code !== 0 || total === 0 || (ex.expect !== undefined && total !== ex.expect)) {
    failures++;
    console.log(`  !! example exited with ${code}, stored ${total}${ex.expect ? ` (expected ${ex.expect})` : ''}`);
  }
}

await plain?.close();
await multiTenant?.close();
console.log(failures === 0 ? '\nAll examples delivered their logs.' : `\n${failures} example(s) failed.`);
process.exit(failures === 0 ? 0 : 1);
