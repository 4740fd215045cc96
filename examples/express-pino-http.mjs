// Express with pino-http: one log line per request (method, url, status, response time) and the
// handler's own logs through req.log, all shipped to Loki by the pino transport.
import express from 'express';
import pino from 'pino';
import { envValue } from '@loki-sdk/core';
import { pinoHttp } from 'pino-http';
import { flushLoki } from '@loki-sdk/pino-loki-transport';

const transport = pino.transport({
  target: '@loki-sdk/pino-loki-transport',
  options: { host: envValue('LOKI_URL') ?? 'http://localhost:3100', labels: { app: 'express-demo' } },
});
const logger = pino(transport);

const app = express();
app.use(pinoHttp({ logger }));
app.get('/orders/:id', (req, res) => {
  req.log.info({ orderId: req.params.id }, 'order looked up');
  res.json({ id: req.params.id, status: 'paid' });
});

// Serve two requests to ourselves (one found, one 404), then stop.
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
for (const path of ['/orders/A-1001', '/missing']) {
  const res = await fetch(base + path);
  console.log(`GET ${path} -> ${res.status}`);
}
await new Promise((resolve) => server.close(resolve));

const result = await flushLoki(transport, { timeoutMillis: 5000 });
console.log(`loki: ${result.ok ? 'acknowledged' : 'not delivered'}`);
