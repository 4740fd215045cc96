import { defineConfig } from 'tsup';

// Two builds: the full ESM build (the transport, the CLI), and a CommonJS entry whose factory
// imports the ESM build at run time (see src/index-cjs.ts). `clean` is done by the build script,
// as two configs cleaning the same folder in parallel would delete each other's output.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    clean: false,
    target: 'node20',
  },
  {
    entry: { index: 'src/index-cjs.ts' },
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
    external: ['./index.js'],
  },
]);
