import { safeStringify } from '@loki-sdk/core/adapter';

/**
 * JSON for log lines. `JSON.stringify` alone throws on circular references and BigInt and turns an
 * Error into `{}`; the safe path fixes all three. The fast path is taken when no value is an object,
 * which is the common `logger.info('msg', { id: 1, user: 'x' })` case.
 */
export function stringifyFields(fields: Record<string, unknown>, hasObjectValue: boolean): string {
  if (!hasObjectValue) {
    try {
      return JSON.stringify(fields);
    } catch {
      // BigInt: fall through to the safe path.
    }
  }
  return safeStringify(fields);
}
