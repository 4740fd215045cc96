// Grafana Cloud / multi-tenant Loki: tenant header, basic auth (user id + API token), TLS.
// Against Grafana Cloud set LOKI_URL=https://logs-prod-xxx.grafana.net, LOKI_USER, LOKI_TOKEN.
import { createLokiClient, envValue } from '@loki-sdk/core';

const client = createLokiClient({
  host: envValue('LOKI_URL') ?? 'http://localhost:3100',
  tenantId: envValue('LOKI_TENANT') ?? 'team-payments', // X-Scope-OrgID, for multi-tenant Loki
  basicAuth: { username: envValue('LOKI_USER') ?? '123456', password: envValue('LOKI_TOKEN') ?? 'glc_example_token' },
  labels: { app: 'cloud-demo', env: 'prod' },
  encoding: 'protobuf', // Loki's native format: protobuf + snappy
  // tls: { caFile: '/etc/ssl/my-ca.pem' }, // for a private CA
});

client.push({ message: 'hello from a tenant', level: 'info', region: 'eu' });
const result = await client.close();
console.log(`tenant push: ${result.ok ? 'acknowledged' : 'failed'}`);
