// The quick start of the direct API: no logging framework, just initSdk() and info()/error().
import { envValue } from '@loki-sdk/core';
import { initSdk, info, error, flush } from '@loki-sdk/core/sdk';

const base = envValue('LOKI_URL') ?? 'http://localhost:3100';
initSdk({
  appName: 'demo',
  environment: 'staging',
  endpoints: { loki: `${base}/loki/api/v1/push` },
  useSendBeacon: true,
  enableOfflineBuffer: true,
  bufferSize: 1000,
  flushInterval: 5,
  maxRetries: 3,
});

info('User login successful', { label_user_id: '12345', label_action: 'login' });
error('Database connection failed', { label_component: 'database', label_error_code: 'DB001' });
info('System information', { labels: { service: 'user-service', version: '1.0.0' } });
info('Business operation', { label_user_id: '12345', operation_type: 'payment', amount: 100.5, currency: 'USD' });

const result = await flush();
console.log(`flush: ${result.acknowledged} acknowledged, ${result.dropped} dropped`);
