// The published types, checked from a TypeScript CommonJS file and an ESM file against the built package.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fixture } from './helpers.js';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('types (built package)', () => {
  it(
    'CJS (`import X = require()`: the class, with named members) and ESM consumers type-check',
    { timeout: 60_000 },
    async () => {
      const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
        execFile(process.execPath, [tsc, '-p', fixture('types/tsconfig.json')], (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
      });
      expect(result.out).toBe('');
      expect(result.code).toBe(0);
    },
  );
});
