#!/usr/bin/env node
// Writes the README options tables from the options schema (core's client-option-schema.ts and each
// transport's): each package's readme test renders its tables and, with UPDATE_OPTIONS_TABLES=1, writes
// them between the README's `<!-- options-table:ID -->` markers. Without it the same test fails on a
// table that disagrees with the schema.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const pkg of ['core', 'pino-loki-transport', 'winston-loki-transport']) {
  const run = spawnSync('npx', ['vitest', 'run', 'test/readme.test.ts'], {
    cwd: `${root}packages/${pkg}`,
    env: { ...process.env, UPDATE_OPTIONS_TABLES: '1' },
    stdio: 'inherit',
  });
  if (run.status !== 0) process.exitCode = 1;
}
