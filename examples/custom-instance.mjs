// A second, independent SDK instance with its own settings (e.g. another app name or tenant).
import { envValue } from '@loki-sdk/core';
import { LokiSDK } from '@loki-sdk/core/sdk';

const base = envValue('LOKI_URL') ?? 'http://localhost:3100';
const custom = new LokiSDK();
custom.init({
  appName: 'custom-app',
  environment: 'test',
  endpoints: { loki: `${base}/loki/api/v1/push` },
  useSendBeacon: false,
});

// With useSendBeacon false each call resolves when Loki acknowledged it.
const result = await custom.info('Custom SDK test', { label_test_type: 'custom_sdk' });
console.log(`acknowledged: ${result.ok}`);
await custom.close();
