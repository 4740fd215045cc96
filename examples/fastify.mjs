// Fastify with its built-in pino logger: the transport goes in `logger.transport`; Fastify's request
// logs (incoming request, request completed) and request.log calls all reach Loki.
import Fastify from 'fastify';
import { envValue } from '@loki-sdk/core';

const app = Fastify({
  logger: {
    transport: {
      target: '@loki-sdk/pino-loki-transport',
      options: { host: envValue('LOKI_URL') ?? 'http://localhost:3100', labels: { app: 'fastify-demo' } },
    },
  },
});

app.get('/orders/:id', async (request) => {
  request.log.info({ orderId: request.params.id }, 'order looked up');
  return { id: request.params.id, status: 'paid' };
});

// Serve two requests through Fastify's inject (no socket), then close.
for (const url of ['/orders/A-1001', '/missing']) {
  const res = await app.inject({ method: 'GET', url });
  console.log(`GET ${url} -> ${res.statusCode}`);
}
await app.close();
// pino ends its transport's worker when the process exits; the worker delivers everything first.
