/**
 * `otlpConfig`, Loki's `otlp_config`: rules that make OTLP attributes index labels, structured metadata or
 * dropped, first match wins, Loki's default rule first unless `ignoreDefaults`; and the configs Loki refuses.
 */
import { describe, expect, it } from 'vitest';
import { createLokiReceiver, type OtlpConfig } from '../src/index.js';
import { NO_DISCOVERY, nsAgo } from './helpers.js';
import { attrs, OTLP_ENCODINGS, postOtlp, record, request, type ExportRequest } from './otlp-helpers.js';

async function storedWith(otlpConfig: OtlpConfig, req: ExportRequest, encoding = OTLP_ENCODINGS[0]!) {
  const receiver = await createLokiReceiver({ ...NO_DISCOVERY, otlpConfig });
  try {
    const res = await postOtlp(receiver.otlpLogsUrl, req, encoding);
    expect(res.status, res.message).toBe(204);
    return receiver.entries();
  } finally {
    await receiver.close();
  }
}

describe.each(OTLP_ENCODINGS)('otlpConfig over %s', (encoding) => {
  it('resource attributes by name or anchored regex become index labels, or are dropped', async () => {
    const [e] = await storedWith(
      {
        resourceAttributes: {
          attributesConfig: [
            { action: 'index_label', attributes: ['app', 'env'] },
            { action: 'drop', regex: 'process\\..*' },
            { action: 'index_label', regex: 'team' },
          ],
        },
      },
      request(
        { 'service.name': 's', app: 'shop', env: 'prod', 'process.pid': '1', 'process.owner': 'x', teams: 'no' },
        record(nsAgo(), 'x'),
      ),
      encoding,
    );
    expect(e!.labels).toEqual({ app: 'shop', env: 'prod', service_name: 's' });
    expect(e!.metadata).toEqual({ teams: 'no' });
  });

  it("Loki's default rule comes first: a later rule cannot drop k8s.pod.name unless ignoreDefaults", async () => {
    const req = request({ 'service.name': 's', 'k8s.pod.name': 'p', 'k8s.node.name': 'n' }, record(nsAgo(), 'x'));
    const drop = { action: 'drop' as const, attributes: ['k8s.pod.name'] };
    const [kept] = await storedWith({ resourceAttributes: { attributesConfig: [drop] } }, req, encoding);
    expect([kept!.labels, kept!.metadata]).toEqual([{ k8s_pod_name: 'p', service_name: 's' }, { k8s_node_name: 'n' }]);
    const [own] = await storedWith(
      {
        resourceAttributes: {
          ignoreDefaults: true,
          attributesConfig: [drop, { action: 'index_label', attributes: ['service.name'] }],
        },
      },
      req,
      encoding,
    );
    expect([own!.labels, own!.metadata]).toEqual([{ service_name: 's' }, { k8s_node_name: 'n' }]);
  });

  it('scope and log attributes can be dropped; unmatched ones stay structured metadata', async () => {
    const req: ExportRequest = {
      resourceLogs: [
        {
          resource: { attributes: attrs({ 'service.name': 's' }) },
          scopeLogs: [
            {
              scope: { name: 'lib', attributes: attrs({ 'scope.secret': '1', 'scope.kept': '2' }) },
              logRecords: [record(nsAgo(), 'x', { attributes: attrs({ password: 'p', user: 'u' }) })],
            },
          ],
        },
      ],
    };
    const [e] = await storedWith(
      {
        scopeAttributes: [{ action: 'drop', regex: '.*secret' }],
        logAttributes: [{ action: 'drop', attributes: ['password'] }],
      },
      req,
      encoding,
    );
    expect(e!.metadata).toEqual({ user: 'u', scope_kept: '2', scope_name: 'lib' });
  });
});

describe('otlpConfig that Loki refuses to start with', () => {
  it.each([
    [
      { logAttributes: [{ action: 'index_label', attributes: ['a'] }] },
      'index_label action is only supported for resource_attributes',
    ],
    [{ scopeAttributes: [{ attributes: ['a'], regex: 'a' }] }, 'only one of attributes or regex must be set'],
    [{ resourceAttributes: { attributesConfig: [{ action: 'index_label' }] } }, 'attributes or regex must be set'],
    [
      { logAttributes: [{ action: 'keep', attributes: ['a'] }] },
      'unsupported action, it must be one of: drop, index_label, structured_metadata',
    ],
  ])('%j throws', async (config, message) => {
    await expect(createLokiReceiver({ otlpConfig: config as OtlpConfig })).rejects.toThrow(message);
  });
});
