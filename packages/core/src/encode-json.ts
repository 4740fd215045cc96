import type { StreamGroup } from './stream-groups.js';

/** ES2024 string methods (Node >= 20); the project's TS lib is ES2022. */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * Lone UTF-16 surrogates become U+FFFD. JSON.stringify writes a lone surrogate as a `\ud800` escape,
 * which Loki's JSON decoder refuses with a 400 for the whole push (observed on Loki 3.4.6); protobuf's UTF-8
 * already turns it into U+FFFD, so both encodings store the same text. One native scan per string.
 */
function wellFormed(text: string): string {
  const s = text as unknown as WellFormedString;
  return s.isWellFormed() ? text : s.toWellFormed();
}

/** Encodes streams as Loki's v1 JSON push body: ns timestamps as decimal strings. */
export function encodePushRequestJson(groups: readonly StreamGroup[]): string {
  const parts: string[] = [];
  for (const group of groups) {
    // Null prototype: a name such as `__proto__` is a key here, not the prototype's setter.
    const stream = Object.create(null) as Record<string, string>;
    // Label values are made safe when mapped (labelValueToString: Loki's label parser refuses U+FFFD too).
    for (const [name, value] of group.stream.labels) stream[wellFormed(name)] = wellFormed(value);
    const values: string[] = [];
    for (const entry of group.entries) {
      let value = `["${entry.timestampNs.toString()}",${JSON.stringify(wellFormed(entry.line))}`;
      if (entry.metadata !== undefined && entry.metadata.length > 0) {
        const metadata = Object.create(null) as Record<string, string>;
        for (const [name, v] of entry.metadata) metadata[wellFormed(name)] = wellFormed(v);
        value += `,${JSON.stringify(metadata)}`;
      }
      values.push(`${value}]`);
    }
    parts.push(`{"stream":${JSON.stringify(stream)},"values":[${values.join(',')}]}`);
  }
  return `{"streams":[${parts.join(',')}]}`;
}
