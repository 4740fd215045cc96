import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * An adapter's worker script: the first of `relatives` (resolved against the adapter module's
 * `import.meta.url`) that exists. `file` is undefined when none is there (e.g. the app was bundled into
 * one file): the adapter then works in-thread; `looked` says where it looked, for the warning.
 */
export function findWorkerFile(moduleUrl: string, relatives: string[]): { file: string | undefined; looked: string[] } {
  const looked: string[] = [];
  for (const relative of relatives) {
    try {
      const file = fileURLToPath(new URL(relative, moduleUrl));
      if (looked.includes(file)) continue;
      looked.push(file);
      if (existsSync(file)) return { file, looked };
    } catch {
      // Not a file: URL (a bundler's virtual module): nothing to find there.
    }
  }
  return { file: undefined, looked };
}
