import type { OtlpRecord, OtlpResourceGroup } from './otlp-mapping.js';

// OTLP/JSON (the protobuf JSON mapping, as OTLP specifies it): lowerCamelCase field names, 64-bit integers as
// decimal strings, enums as numbers, and trace_id/span_id as hex (not base64, OTLP's one exception).

type KeyValueJson = { key: string; value: { stringValue: string } };

function attributesJson(pairs: ReadonlyArray<readonly [string, string]>): KeyValueJson[] {
  return pairs.map(([key, value]) => ({ key, value: { stringValue: value } }));
}

function recordJson(r: OtlpRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.timeUnixNano > 0n) out.timeUnixNano = r.timeUnixNano.toString();
  if (r.severityNumber > 0) out.severityNumber = r.severityNumber;
  if (r.severityText !== undefined && r.severityText !== '') out.severityText = r.severityText;
  out.body = { stringValue: r.body };
  if (r.attributes.length > 0) out.attributes = attributesJson(r.attributes);
  if (r.flags !== 0) out.flags = r.flags;
  if (r.traceId !== undefined) out.traceId = r.traceId;
  if (r.spanId !== undefined) out.spanId = r.spanId;
  return out;
}

/** Encodes resource groups as an OTLP/JSON ExportLogsServiceRequest. */
export function encodeOtlpJson(groups: readonly OtlpResourceGroup[]): string {
  return JSON.stringify({
    resourceLogs: groups.map((g) => ({
      resource: { attributes: attributesJson(g.resource.attributes) },
      scopeLogs: [{ logRecords: g.records.map(recordJson) }],
    })),
  });
}
