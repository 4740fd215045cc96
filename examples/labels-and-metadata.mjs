// Labels index streams (keep them few and low-cardinality); everything else is structured metadata.
import { createLokiClient, envValue } from '@loki-sdk/core';

const client = createLokiClient({
  host: envValue('LOKI_URL') ?? 'http://localhost:3100',
  labels: { app: 'labels-demo', 'service.name': 'checkout' }, // service.name -> service_name
});

client.push({ message: 'order placed', level: 'info', label_region: 'eu-west', order_id: 'A-1001', total: 42.5 });
client.push({
  message: 'payment declined',
  level: 'warn',
  labels: { region: 'us-east' },
  order_id: 'A-1002',
  reason: 'insufficient funds',
});
client.push({ message: 'refund failed', level: 'error', err: new Error('gateway timeout'), order_id: 'A-0999' });

const result = await client.close();
console.log(`close: ${result.acknowledged} acknowledged`);
const { entriesSent, entriesDropped, requests, bytesSent } = client.stats();
console.log('stats:', JSON.stringify({ entriesSent, entriesDropped, requests, bytesSent }));
