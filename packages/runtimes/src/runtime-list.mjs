// The suite's command line, and the runtimes it runs: Node (this process's binary), Bun and Deno, each
// with the arguments that run a fixture and those that hide the native snappy binding.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { envValue } from '@loki-sdk/core';

export function parseSuiteArgs() {
  const { values } = parseArgs({
    options: {
      bun: { type: 'string', default: envValue('BUN_BINARY') },
      deno: { type: 'string', default: envValue('DENO_BINARY') },
      write: { type: 'boolean', default: false },
      only: { type: 'string' },
      jobs: { type: 'string', default: envValue('CROSS_RUNTIME_JOBS') ?? '3' },
      packed: { type: 'boolean', default: false },
    },
  });
  return values;
}

/** The runtimes `--only` asks for, with their versions; exits (2) when a binary is missing. */
export function listRuntimes(argv, repo, fixtures) {
  // `args`: what goes before the fixture's path. `hideSnappy`: the same, with the native snappy binding
  // unloadable (Deno: no --allow-ffi, the permission a N-API addon needs).
  const runtimes = [
    // core's own test preload (packages/core/test/fixtures): Module._load refuses `snappy`.
    {
      name: 'node',
      title: 'Node',
      bin: process.execPath,
      args: [],
      hideSnappy: ['--require', join(repo, 'packages', 'core', 'test', 'fixtures', 'no-native-snappy.cjs')],
    },
    {
      name: 'bun',
      title: 'Bun',
      bin: argv.bun,
      args: [],
      hideSnappy: ['--preload', join(fixtures, 'hide-snappy-bun.mjs')],
    },
    {
      name: 'deno',
      title: 'Deno',
      bin: argv.deno,
      args: ['run', '-A'],
      hideSnappy: ['run', '--allow-net', '--allow-read', '--allow-write', '--allow-env', '--allow-sys', '--allow-run'],
    },
  ].filter((rt) => !argv.only || argv.only.split(',').includes(rt.name));
  for (const rt of runtimes) {
    if (!rt.bin) {
      console.error(
        `no ${rt.title} binary: pass --${rt.name} PATH (or ${rt.name.toUpperCase()}_BINARY); .ci/cross-runtime fetches it from npm`,
      );
      process.exit(2);
    }
    rt.version = execFileSync(rt.bin, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  }
  return runtimes;
}
