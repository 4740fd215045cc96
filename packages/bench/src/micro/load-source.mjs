// Loads one of core's TypeScript source modules for a micro-benchmark: bundled by esbuild (tsup's own, so no
// new dependency) into a temporary ES module. The encoders are internal, not exported from core's dist.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const coreDir = fileURLToPath(new URL('../../../core/', import.meta.url));

/**
 * Imports packages/core/src/<name>.ts (and what it imports), bundled, as built for node20; from another
 * checkout's root when `root` is given (a "before" figure in the same run).
 */
export async function loadCoreSource(name, root) {
  const from = root === undefined ? coreDir : join(root, 'packages', 'core');
  const tsupRequire = createRequire(require.resolve('tsup', { paths: [coreDir] }));
  const esbuild = tsupRequire('esbuild');
  // Several modules (an array of names): one bundle exporting them all, so that they share their classes.
  const names = Array.isArray(name) ? name : undefined;
  const input =
    names === undefined
      ? { entryPoints: [join(from, 'src', `${name}.ts`)] }
      : {
          stdin: {
            contents: names.map((n) => `export * from './src/${n}.ts';`).join('\n'),
            resolveDir: from,
            loader: 'ts',
          },
        };
  const out = await esbuild.build({
    ...input,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // Node's own modules required by bundled CommonJS dependencies (got's agents): a require for the ES module.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'loki-micro-'));
  const file = join(dir, `${names === undefined ? name : 'bundle'}.mjs`);
  writeFileSync(file, out.outputFiles[0].text);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
