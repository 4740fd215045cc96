// pino: pretty output on the console, every record in Loki. Nothing else changes in the app.
import pino from 'pino';
import { envValue } from '@loki-sdk/core';

const transport = pino.transport({
  targets: [
    { target: 'pino-pretty', options: { colorize: false, destination: 1 } },
    {
      target: '@loki-sdk/pino-loki-transport',
      options: { host: envValue('LOKI_URL') ?? 'http://localhost:3100', labels: { app: 'pino-demo' } },
    },
  ],
});
const logger = pino(transport);

logger.info({ label_route: '/login', user: 'ada' }, 'request served');
logger.child({ label_service: 'auth' }).warn('token expires soon');
logger.error(new Error('payment service unreachable'), 'checkout failed');
// pino's own exit handling ends the transport; our worker delivers before the process exits.
