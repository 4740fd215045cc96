/**
 * OTLP values as Loki turns them into text: pdata's `Value.AsString()` (maps and arrays as Go's
 * `encoding/json` text of `AsRaw()`), and `attributeToLabels` (pkg/loghttp/push/otlp.go), which flattens
 * map-valued attributes into `parent_child` names, every name through Prometheus' `NormalizeLabel`.
 */
import type { OtlpKeyValue, OtlpValue } from './otlp-model.js';
import { normalizeStructuredMetadataName } from './structured-metadata.js';

/** One name/value pair an attribute became; `utf8` is false when a string value was not valid UTF-8. */
export interface AttributeLabel {
  name: string;
  value: string;
  utf8: boolean;
}

/** Go's float formatting of `encoding/json` (and pdata's `float64AsString`): ES6 number text, `-0` kept. */
function goFloat(f: number): string {
  return Object.is(f, -0) ? '-0' : String(f);
}

const JSON_SAFE = /^[\x20-\x7e]*$/;
const UNSAFE_ASCII = /["\\<>&]/;

/** A string as Go's `json.Marshal` writes it (HTML escaping on, U+2028/2029 escaped, invalid UTF-8 as \ufffd). */
export function goJsonString(s: string): string {
  if (JSON_SAFE.test(s) && !UNSAFE_ASCII.test(s)) return '"' + s + '"';
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
    }
    if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\\ufffd';
    } else out += ch;
  }
  return out + '"';
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Go's `json.Marshal(v.AsRaw())`; undefined where Go fails (NaN or ±Inf inside). */
function goJson(v: OtlpValue): string | undefined {
  switch (v.kind) {
    case 'empty':
      return 'null';
    case 'string':
      return goJsonString(v.value);
    case 'bool':
      return String(v.value);
    case 'int':
      return v.value.toString();
    case 'double':
      return Number.isFinite(v.value) ? goFloat(v.value) : undefined;
    case 'bytes':
      return '"' + v.value.toString('base64') + '"';
    case 'array': {
      const parts: string[] = [];
      for (const e of v.values) {
        const text = goJson(e);
        if (text === undefined) return undefined;
        parts.push(text);
      }
      return '[' + parts.join(',') + ']';
    }
    case 'kvlist': {
      // AsRaw builds a Go map (the last duplicate key wins); encoding/json writes its keys sorted by bytes.
      const map = new Map<string, OtlpValue>();
      for (const kv of v.values) map.set(kv.key, kv.value);
      const parts: string[] = [];
      for (const key of [...map.keys()].sort(byteOrder)) {
        const text = goJson(map.get(key)!);
        if (text === undefined) return undefined;
        parts.push(goJsonString(key) + ':' + text);
      }
      return '{' + parts.join(',') + '}';
    }
  }
}

/** pdata's `Value.AsString()`. */
export function otlpValueAsString(v: OtlpValue): string {
  switch (v.kind) {
    case 'empty':
      return '';
    case 'string':
      return v.value;
    case 'bool':
      return String(v.value);
    case 'int':
      return v.value.toString();
    case 'double':
      if (Number.isNaN(v.value)) return 'json: unsupported value: NaN';
      if (!Number.isFinite(v.value)) return `json: unsupported value: ${v.value > 0 ? '+Inf' : '-Inf'}`;
      return goFloat(v.value);
    case 'bytes':
      return v.value.toString('base64');
    case 'array':
    case 'kvlist':
      // Go ignores the marshal error and converts the nil slice: an empty string.
      return goJson(v) ?? '';
  }
}

/** Loki's `attributeToLabels`: the attribute's labels, a map flattened recursively. */
export function attributeToLabels(kv: OtlpKeyValue, prefix = '', out: AttributeLabel[] = []): AttributeLabel[] {
  const name = normalizeStructuredMetadataName(prefix === '' ? kv.key : prefix + '_' + kv.key);
  const v = kv.value;
  if (v.kind === 'kvlist') {
    for (const child of v.values) attributeToLabels(child, name, out);
  } else {
    out.push({ name, value: otlpValueAsString(v), utf8: v.kind !== 'string' || v.utf8 });
  }
  return out;
}
