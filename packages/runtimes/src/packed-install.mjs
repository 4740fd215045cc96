// --packed: the packages as published. `pnpm pack` each, `npm install` the tarballs with pino and winston
// into a folder outside the workspace (a flat node_modules, as users have), and run the fixtures from
// there. Needs the npm registry for the packages' own dependencies.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Installs the packed packages and copies the fixtures next to them; returns the folder and the app in it. */
export function installPacked(repo, fixtures) {
  const started = Date.now();
  const packedDir = mkdtempSync(join(tmpdir(), 'loki-sdk-cross-runtime-packed-'));
  const packs = join(packedDir, 'packs');
  const app = join(packedDir, 'app');
  mkdirSync(packs);
  mkdirSync(app);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$)/i.test(k) || /^npm_config_(registry|cache|userconfig)$/i.test(k),
    ),
  );
  const tarballs = ['core', 'pino-loki-transport', 'winston-loki-transport'].map((name) =>
    execFileSync('pnpm', ['pack', '--pack-destination', packs], {
      cwd: join(repo, 'packages', name),
      env,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()
      .trim(),
  );
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'cross-runtime-app', private: true, type: 'module' }),
  );
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline', ...tarballs, 'pino@10', 'winston@3'],
    { cwd: app, env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  cpSync(fixtures, app, { recursive: true });
  console.log(`packed install in ${app}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { packedDir, fixtures: app };
}
