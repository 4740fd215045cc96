// Installs the packages as a user would: `pnpm pack` each one, `npm install --omit=optional` the
// tarballs in a directory outside the workspace (so nothing of the workspace can be resolved), and run
// an ESM and a CommonJS program that deliver through core, its direct API, pino and winston to the receiver.
// Needs the npm registry for the packages' own dependencies: skipped, saying so, when it is unreachable.
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLokiReceiver, type LokiReceiver } from '@loki-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryReachable, type RegistryCheck } from './registry-reachable.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
// Folder names under packages/.
const PACKAGES = ['core', 'pino-loki-transport', 'winston-loki-transport', 'testing'];

/** The environment of a user's shell: none of pnpm's or vitest's package and node settings. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|VITEST|TURBO_)/i.test(key) &&
      !/^npm_config_(registry|cache|userconfig)$/i.test(key)
    )
      continue;
    env[key] = value;
  }
  return env;
}

let registry: RegistryCheck = { reachable: false, error: 'not checked yet' };
let work = '';
const tarballs: Record<string, string> = {};
let receiver: LokiReceiver;

beforeAll(async () => {
  registry = await registryReachable(userEnv());
  if (!registry.reachable) {
    // npm's own error: a skip must say why (no network, a wrong registry, a proxy refusing...).
    console.warn(`packed-install.test.ts: the packed install tests are skipped: ${offlineNote(registry.error)}`);
    return;
  }
  work = mkdtempSync(join(tmpdir(), 'loki-sdk-packed-'));
  for (const dir of ['packs', 'app', 'unpacked']) mkdirSync(join(work, dir));
  for (const name of PACKAGES) {
    const dir = join(repo, 'packages', name);
    if (!existsSync(join(dir, 'dist'))) throw new Error(`packages/${name}/dist is missing: run pnpm build first`);
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', join(work, 'packs')], {
      cwd: dir,
      env: userEnv(),
    });
    tarballs[name] = stdout.trim().split('\n').pop()!.trim();
  }
  receiver = await createLokiReceiver();
}, 60_000);

function offlineNote(npmSaid: string): string {
  return `the npm registry is unreachable. npm said:\n${npmSaid}`;
}

afterAll(async () => {
  await receiver?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  it('carry LICENSE, README, dist and no sources: no src/, no test/, no sourcesContent, no workspace: ranges', async (ctx) => {
    if (!registry.reachable) ctx.skip(offlineNote(registry.error));
    for (const name of PACKAGES) {
      const out = join(work, 'unpacked', name);
      mkdirSync(out);
      await run('tar', ['-xzf', tarballs[name]!, '-C', out]);
      const files = listFiles(join(out, 'package'));
      expect(files, name).toEqual(
        expect.arrayContaining([
          'LICENSE',
          'README.md',
          'package.json',
          'dist/index.js',
          'dist/index.cjs',
          'dist/index.d.ts',
          'dist/index.d.cts',
        ]),
      );
      expect(
        files.filter((f) => /^(src|test)\//.test(f)),
        name,
      ).toEqual([]);
      if (name === 'core') {
        // The three entry points (`.`, `./sdk`, `./adapter`), each for ESM and CommonJS, with types.
        for (const entry of ['index', 'sdk', 'adapter']) {
          expect(files, entry).toEqual(
            expect.arrayContaining([
              `dist/${entry}.js`,
              `dist/${entry}.cjs`,
              `dist/${entry}.d.ts`,
              `dist/${entry}.d.cts`,
            ]),
          );
        }
      }
      for (const map of files.filter((f) => f.endsWith('.map'))) {
        expect(
          JSON.parse(readFileSync(join(out, 'package', map), 'utf8')).sourcesContent,
          `${name} ${map}`,
        ).toBeUndefined();
      }
      const manifest = JSON.parse(readFileSync(join(out, 'package', 'package.json'), 'utf8'));
      expect(JSON.stringify(manifest), name).not.toContain('workspace:');
      for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'license'])
        expect(manifest[field], `${name} ${field}`).toBeDefined();
    }
    // got is installed once, as core's dependency: the CommonJS build imports it instead of carrying a copy.
    const coreDist = join(work, 'unpacked', 'core', 'package', 'dist');
    const cjs = readdirSync(coreDist)
      .filter((f) => f.endsWith('.cjs'))
      .map((f) => readFileSync(join(coreDist, f), 'utf8'))
      .join('\n');
    expect(cjs).toMatch(/\bimport\(['"]got['"]\)/);
    expect(cjs).not.toMatch(/node_modules\/(\.pnpm\/)?got/);
  });
});

describe('installed from the tarballs with npm install --omit=optional, outside the workspace', () => {
  it('delivers from an ESM and a CommonJS program through core, core/sdk, pino and winston (pure-JS snappy)', async (ctx) => {
    if (!registry.reachable) ctx.skip(offlineNote(registry.error));
    const app = join(work, 'app');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packed-app', private: true }));
    const started = Date.now();
    await npmInstall(app, [
      tarballs.core!,
      tarballs['pino-loki-transport']!,
      tarballs['winston-loki-transport']!,
      'pino@10',
      'winston@3',
    ]);
    const installMillis = Date.now() - started;
    expect(existsSync(join(app, 'node_modules', 'snappy')), 'the optional native binding is not installed').toBe(false);
    // Our packages come from the tarballs, once: not from the registry, not nested.
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')).packages as Record<
      string,
      { resolved?: string }
    >;
    for (const name of ['@loki-sdk/core', '@loki-sdk/pino-loki-transport', '@loki-sdk/winston-loki-transport']) {
      expect(lock[`node_modules/${name}`]?.resolved, name).toMatch(/^file:/);
    }
    expect(Object.keys(lock).filter((k) => k.endsWith('/node_modules/@loki-sdk/core'))).toEqual([]);

    for (const format of ['mjs', 'cjs'] as const) {
      copyFileSync(join(fixtures, `packed-app.${format}`), join(app, `packed-app.${format}`));
      const report = await runApp(app, `packed-app.${format}`);
      expect(report, format).toEqual({ compression: 'snappy-js', ok: [true, true, true, true] });
      const as = format === 'mjs' ? 'esm' : 'cjs';
      for (const via of ['core', 'sdk', 'pino', 'winston']) {
        const lines = receiver.entries(`{app="packed", format="${as}", via="${via}"}`).map((e) => e.line);
        expect(lines, `${as} ${via}`).toHaveLength(1);
        expect(lines[0], `${as} ${via}`).toContain(`${via} ${as}`);
      }
    }
    console.info(`packed install: npm install ${installMillis} ms, whole test ${Date.now() - started} ms`);
  }, 120_000);

  it('the pino transport delivers with pino 8 and 9 too (the peer range)', async (ctx) => {
    if (!registry.reachable) ctx.skip(offlineNote(registry.error));
    const app = join(work, 'app');
    for (const major of [8, 9]) {
      await npmInstall(app, [`pino@${major}`]);
      expect(JSON.parse(readFileSync(join(app, 'node_modules', 'pino', 'package.json'), 'utf8')).version).toMatch(
        new RegExp(`^${major}\\.`),
      );
      const before = receiver.entries(`{app="packed", format="esm", via="pino"}`).length;
      expect(await runApp(app, 'packed-app.mjs')).toEqual({ compression: 'snappy-js', ok: [true, true, true, true] });
      expect(receiver.entries(`{app="packed", format="esm", via="pino"}`)).toHaveLength(before + 1);
    }
  }, 120_000);
});

async function npmInstall(dir: string, specs: string[]): Promise<void> {
  await run(
    'npm',
    ['install', '--omit=optional', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline', ...specs],
    { cwd: dir, env: userEnv(), timeout: 90_000 },
  );
}

/**
 * Runs a program in the app directory (asynchronously: the receiver answers on this thread) and parses its last line.
 */
function runApp(dir: string, file: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, receiver.url], {
      cwd: dir,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0 || stderr !== '') reject(new Error(`${file} exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(root, `${prefix}${d.name}/`) : [`${prefix}${d.name}`],
  );
}
