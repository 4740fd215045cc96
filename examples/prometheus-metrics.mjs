// Prometheus metrics of the Loki client on prom-client: a /metrics endpoint (port 0), a run with a fault
// (a burst past the buffer bound: the oldest entries dropped, counted `buffer_full`), then a scrape of our
// own endpoint, checking every metric is there and shows what stats() says.
import { createServer } from 'node:http';
import { createLokiClient, envValue, registerLokiMetrics } from '@loki-sdk/core';
import { Registry } from 'prom-client';

const client = createLokiClient({
  url: envValue('LOKI_URL') ?? 'http://localhost:3100',
  labels: { app: 'metrics-demo' },
  bufferMaxEntries: 20,
});
const registry = new Registry();
const metrics = registerLokiMetrics(client, { registry });
if (!metrics.ok) {
  console.log(`no metrics: ${metrics.error.message}`);
  process.exit(1);
}

const server = createServer(async (req, res) => {
  if (req.url !== '/metrics') return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${server.address().port}/metrics`;

for (let i = 0; i < 30; i++) client.push({ message: `burst ${i}`, level: 'info' }); // 10 over the bound
await client.flush();
for (let i = 0; i < 5; i++) client.push({ message: `after ${i}`, level: 'info', label_route: '/checkout' });
await client.flush();

const text = await (await fetch(endpoint)).text();
const stats = client.stats();
const value = (series) => Number(text.match(new RegExp(`^${series.replace(/[{}"[\]]/g, '\\$&')} (\\S+)$`, 'm'))?.[1]);
const missing = metrics.names.filter((name) => !text.includes(`# TYPE ${name} `));
const checks = {
  loki_write_sent_entries_total: stats.entriesSent,
  loki_write_sent_bytes_total: stats.bytesSent,
  'loki_write_dropped_entries_total{reason="buffer_full"}': stats.droppedByReason.buffer_full,
  loki_write_buffered_entries: stats.bufferedEntries,
  loki_write_requests_total: stats.requests,
  loki_write_offline: stats.offline ? 1 : 0,
  'loki_write_request_duration_seconds_count{status_code="204"}': stats.requests,
};
const wrong = Object.entries(checks).filter(([series, expected]) => value(series) !== expected);
console.log(`scraped ${endpoint}: ${metrics.names.length} metrics, ${missing.length} missing`);
for (const [series] of Object.entries(checks)) console.log(`  ${series} ${value(series)}`);
for (const [series, expected] of wrong) console.log(`  !! ${series} is ${value(series)}, stats() says ${expected}`);

server.close();
await client.close();
process.exit(missing.length === 0 && wrong.length === 0 ? 0 : 1);
