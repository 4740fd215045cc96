// winston: the Console transport prints as always, LokiTransport ships the same records.
import winston from 'winston';
import LokiTransport from '@loki-sdk/winston-loki-transport';
import { envValue } from '@loki-sdk/core';

const logger = winston.createLogger({
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [
    new winston.transports.Console(),
    new LokiTransport({ host: envValue('LOKI_URL') ?? 'http://localhost:3100', labels: { app: 'winston-demo' } }),
  ],
});

logger.info('user signed in', { label_route: '/login', user: 'ada' });
logger.warn('disk 85% full', { label_host: 'db-1' });
logger.error('job failed', { job: 'nightly-report' });
// logger.end() resolves 'finish' only after Loki acknowledged.
logger.on('finish', () => console.log('winston finished: Loki acknowledged'));
logger.end();
