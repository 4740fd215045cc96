import { defineConfig, type Options } from 'tsup';

// Source maps (for stack traces under --enable-source-maps) without the sources embedded: they were
// most of the tarball, and the positions are what a stack trace needs.
const noSourcesContent: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false;
};

// Two builds: the full ESM build (the transport, the CLI), and a CommonJS entry whose factory
// imports the ESM build at run time (see src/index-cjs.ts). `clean` is done by the build script,
// as two configs cleaning the same folder in parallel would delete each other's output.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    esbuildOptions: noSourcesContent,
    clean: false,
    target: 'node20',
  },
  {
    entry: { index: 'src/index-cjs.ts' },
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    esbuildOptions: noSourcesContent,
    clean: false,
    target: 'node20',
    external: ['./index.js'],
  },
]);
