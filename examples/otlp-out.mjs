// OTLP out: the same client, sending OTLP/HTTP logs to Loki's /otlp/v1/logs (or, with `url`, to any
// OpenTelemetry Collector or Grafana Alloy). Loki indexes service.name (from the app label) as service_name;
// other labels, metadata and the severity become structured metadata.
import { createLokiClient, envValue } from '@loki-sdk/core';

const client = createLokiClient({
  protocol: 'otlp',
  host: envValue('LOKI_URL') ?? 'http://localhost:3100',
  labels: { app: 'otlp-demo', env: 'staging' },
});

client.push({ message: 'order placed', level: 'info', order_id: 'A-1001' });
client.push({ message: 'payment declined', level: 'warn', label_region: 'us-east', order_id: 'A-1002' });
client.push({ message: 'refund failed', level: 'error', order_id: 'A-0999' });

const result = await client.close();
console.log(`close: ${result.acknowledged} acknowledged`);
const { entriesSent, entriesDropped, requests, bytesSent, compression } = client.stats();
console.log('stats:', JSON.stringify({ entriesSent, entriesDropped, requests, bytesSent, compression }));
