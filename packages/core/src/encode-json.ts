import type { StreamGroup } from './stream-groups.js';

/** Encodes streams as Loki's v1 JSON push body (contract §1.4): ns timestamps as decimal strings. */
export function encodePushRequestJson(groups: readonly StreamGroup[]): string {
  const parts: string[] = [];
  for (const group of groups) {
    const stream: Record<string, string> = {};
    for (const [name, value] of group.stream.labels) stream[name] = value;
    const values: string[] = [];
    for (const entry of group.entries) {
      let value = `["${entry.timestampNs.toString()}",${JSON.stringify(entry.line)}`;
      if (entry.metadata !== undefined && entry.metadata.length > 0) {
        const metadata: Record<string, string> = {};
        for (const [name, v] of entry.metadata) metadata[name] = v;
        value += `,${JSON.stringify(metadata)}`;
      }
      values.push(`${value}]`);
    }
    parts.push(`{"stream":${JSON.stringify(stream)},"values":[${values.join(',')}]}`);
  }
  return `{"streams":[${parts.join(',')}]}`;
}
