import { describe, expect, it } from 'vitest';
import type { LokiReceiver } from '../src/index.js';
import { nsAgo, sharedReceiver } from './helpers.js';
import { OTLP_ENCODINGS, postOtlp, record, request } from './otlp-helpers.js';

let r: LokiReceiver;
sharedReceiver((receiver) => (r = receiver));

describe.each(OTLP_ENCODINGS)('OTLP over %s', (encoding) => {
  it('stores a record: default index labels, the rest structured metadata', async () => {
    const ts = nsAgo();
    const res = await postOtlp(
      r.otlpLogsUrl,
      request(
        { 'service.name': 'api', 'k8s.pod.name': 'p-1', 'host.name': 'h1' },
        record(ts, 'hello', {
          severityNumber: 9,
          severityText: 'INFO',
          attributes: [{ key: 'user.id', value: { intValue: '42' } }],
        }),
      ),
      encoding,
    );
    expect(res.status).toBe(204);
    const [e] = r.entries();
    expect(e).toMatchObject({
      labels: { service_name: 'api', k8s_pod_name: 'p-1' },
      stream: '{k8s_pod_name="p-1", service_name="api"}',
      timestampNs: ts,
      line: 'hello',
      metadata: { user_id: '42', severity_number: '9', severity_text: 'INFO', host_name: 'h1' },
    });
  });
});
