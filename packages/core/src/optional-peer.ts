import { createRequire } from 'node:module';
import { join } from 'node:path';

const loaded = new Map<string, unknown>();

/**
 * An optional peer dependency (`@opentelemetry/api`, `prom-client`) if the app has it, loaded once and
 * synchronously (a log call must read the span where it happens). Looked up from core's own location, then
 * from the app's working directory: a strict pnpm layout may not link an optional peer next to core.
 * `accept` tells the module apart from something else of that name. null when absent everywhere.
 */
export function loadOptionalPeer<T>(name: string, accept: (found: unknown) => boolean): T | null {
  if (loaded.has(name)) return loaded.get(name) as T | null;
  let result: T | null = null;
  for (const base of [import.meta.url, join(process.cwd(), 'package.json')]) {
    try {
      const found: unknown = createRequire(base)(name);
      if (accept(found)) {
        result = found as T;
        break;
      }
    } catch {
      // Not installed there (or not loadable): try the next place.
    }
  }
  loaded.set(name, result);
  return result;
}
