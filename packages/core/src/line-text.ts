import { safeStringify } from './safe-stringify.js';

/** The line's text: its size, and the metadata merged into it when it goes in the line. */

/** UTF-8 length, as Loki counts it; a JS loop beats the native call for the short ASCII strings most fields are. */
export function byteLength(text: string): number {
  if (text.length > 64) return Buffer.byteLength(text);
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return Buffer.byteLength(text);
  }
  return text.length;
}

/**
 * metadataMode 'line': the metadata into the line. `lineIsText`: the line is a record's message, never read as
 * JSON. A field already in a JSON line keeps the line's value.
 */
export function mergeIntoLine(line: string, lineIsText: boolean, metadata: Array<[string, unknown]>): string {
  // When the line is already a JSON object (a pino record, say), merge into it; else wrap it.
  // Null prototype: fields named `constructor`, `toString`, `__proto__`... are keys like any other.
  const out = Object.create(null) as Record<string, unknown>;
  if (!lineIsText && line.startsWith('{') && line.endsWith('}')) {
    try {
      Object.assign(out, JSON.parse(line) as object);
    } catch {
      out.message = line;
    }
  } else {
    out.message = line;
  }
  for (const [k, v] of metadata) if (!Object.prototype.hasOwnProperty.call(out, k)) out[k] = v;
  return safeStringify(out);
}
