// `pnpm bench --footprint` (or `node src/footprint.mjs`): what installing and loading each package costs,
// ours beside pino-loki's and winston-loki's. No logging, no receiver: about a minute.
//   - tarball: `npm pack --dry-run` size, packed and unpacked;
//   - fresh install: `npm install` of the package with its framework (pino or winston) in an empty directory
//     outside the workspace: node_modules bytes (file sizes) and package count, also with --omit=optional
//     for ours; the frameworks alone as a baseline, and each row's bytes above it;
//   - import time: `await import(name)` and `require(name)` in a fresh `node` from that directory, timed
//     inside the process (node's own start-up excluded), median of RUNS runs.
// Ours are installed from `pnpm pack` tarballs of the built packages (core's tarball beside the transport's).
// Writes docs/benchmarks/footprint.md and footprint.json (unless --no-write).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  lstatSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine.mjs';

const RUNS = 11;
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
const theirVersion = (name) => require(`${name}/package.json`).version; // the versions the bench compares with

/** The environment of a user's shell: none of pnpm's or npm's settings from whoever started us. */
function userEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|TURBO_)/i.test(key) &&
      !/^npm_config_(registry|cache|userconfig)$/i.test(key)
    )
      continue;
    env[key] = value;
  }
  return env;
}
const sh = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, env: userEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function dirBytes(dir) {
  let bytes = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) bytes += dirBytes(p);
    else bytes += lstatSync(p).size;
  }
  return bytes;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const work = mkdtempSync(join(tmpdir(), 'loki-sdk-footprint-'));
const log = (line) => process.stderr.write(`${line}\n`);

/** `npm pack --dry-run --json`: { size, unpackedSize } of a folder or a registry spec. */
function packSize(spec, cwd) {
  const [info] = JSON.parse(sh('npm', ['pack', '--dry-run', '--json', '--loglevel=error', spec], cwd));
  return { packedBytes: info.size, unpackedBytes: info.unpackedSize, files: info.entryCount };
}

function ourTarball(folder) {
  const out = join(work, 'packs');
  mkdirSync(out, { recursive: true });
  return sh('pnpm', ['pack', '--pack-destination', out], join(repo, 'packages', folder))
    .trim()
    .split('\n')
    .pop()
    .trim();
}

/** A fresh npm install of specs in its own directory: bytes and package count of node_modules. */
function install(id, specs, extra = []) {
  const dir = join(work, id);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `footprint-${id}`, private: true }));
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline', ...extra, ...specs], dir);
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')).packages;
  // The lockfile lists omitted optional packages too: count those on disk.
  const packages = Object.keys(lock).filter((k) => k !== '' && existsSync(join(dir, k))).length;
  return { dir, installedBytes: dirBytes(join(dir, 'node_modules')), packages };
}

/** Milliseconds to load `name` in a fresh node started in dir, measured inside the process. */
function loadMillis(dir, name, how) {
  const code =
    how === 'import'
      ? `const t = performance.now(); await import(${JSON.stringify(name)}); console.log(performance.now() - t);`
      : `const t = performance.now(); require(${JSON.stringify(name)}); console.log(performance.now() - t);`;
  const args = how === 'import' ? ['--input-type=module', '-e', code] : ['-e', code];
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    try {
      times.push(
        Number(
          execFileSync(process.execPath, args, {
            cwd: dir,
            env: userEnv(),
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          }).trim(),
        ),
      );
    } catch {
      return undefined; // e.g. require() of an ESM-only package on this Node
    }
  }
  return Math.round(median(times) * 10) / 10;
}

const subjects = [
  { id: 'core', name: '@loki-sdk/core', ours: 'core', framework: undefined },
  { id: 'pino-ours', name: '@loki-sdk/pino-loki-transport', ours: 'pino-loki-transport', framework: 'pino' },
  { id: 'pino-loki', name: 'pino-loki', version: theirVersion('pino-loki'), framework: 'pino' },
  {
    id: 'winston-ours',
    name: '@loki-sdk/winston-loki-transport',
    ours: 'winston-loki-transport',
    framework: 'winston',
  },
  { id: 'winston-loki', name: 'winston-loki', version: theirVersion('winston-loki'), framework: 'winston' },
  { id: 'pino', name: 'pino', version: theirVersion('pino'), baseline: true },
  { id: 'winston', name: 'winston', version: theirVersion('winston'), baseline: true },
];

export async function runFootprint({ write = true } = {}) {
  const started = Date.now();
  const machine = machineInfo();
  log(`loki-sdk bench --footprint: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);
  const coreTarball = ourTarball('core');
  const rows = [];
  try {
    for (const s of subjects) {
      const tarball = s.ours === undefined ? undefined : s.ours === 'core' ? coreTarball : ourTarball(s.ours);
      const spec = tarball ?? `${s.name}@${s.version}`;
      const version =
        s.version ?? JSON.parse(readFileSync(join(repo, 'packages', s.ours, 'package.json'), 'utf8')).version;
      const pack = s.ours === undefined ? packSize(spec, work) : packSize('.', join(repo, 'packages', s.ours));
      // Our transports need core's tarball too (it is not on the registry before a release).
      const specs = s.ours === undefined || s.ours === 'core' ? [spec] : [coreTarball, spec];
      // Each transport with its framework, so that the rows compare: the framework's own share is its row below.
      if (s.framework !== undefined) specs.push(`${s.framework}@${theirVersion(s.framework)}`);
      const full = install(s.id, specs);
      const row = {
        id: s.id,
        name: s.name,
        version,
        framework: s.framework,
        ours: s.ours !== undefined,
        baseline: s.baseline === true,
        ...pack,
        installedBytes: full.installedBytes,
        packages: full.packages,
      };
      if (s.ours !== undefined) {
        const slim = install(`${s.id}-slim`, specs, ['--omit=optional']);
        row.installedBytesOmitOptional = slim.installedBytes;
        row.packagesOmitOptional = slim.packages;
      }
      row.importMillis = loadMillis(full.dir, s.name, 'import');
      row.requireMillis = loadMillis(full.dir, s.name, 'require');
      rows.push(row);
      log(
        `  ${s.name}@${version}: tarball ${kb(row.packedBytes)} (${kb(row.unpackedBytes)} unpacked), install ${mb(row.installedBytes)} in ${row.packages} packages, import ${ms(row.importMillis)}, require ${ms(row.requireMillis)}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const result = { meta: { ...machine, runs: RUNS, seconds: Math.round((Date.now() - started) / 1000) }, rows };
  const markdown = renderFootprint(result);
  if (write) {
    const out = new URL('../../../docs/benchmarks/', import.meta.url);
    writeFileSync(new URL('footprint.json', out), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(new URL('footprint.md', out), markdown);
    log('wrote docs/benchmarks/footprint.md and footprint.json');
  }
  process.stdout.write(markdown);
  return result;
}

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const ms = (v) => (v === undefined ? '–' : `${v.toFixed(1)} ms`);

export function renderFootprint({ meta, rows }) {
  const frameworkBytes = (r) => rows.find((b) => b.baseline && b.name === r.framework)?.installedBytes ?? 0;
  const above = (r, bytes) => (r.framework === undefined ? mb(bytes) : `+${mb(bytes - frameworkBytes(r))}`);
  const line = (r) =>
    `| ${r.ours ? `**${r.name}**` : r.name} ${r.version} | ${kb(r.packedBytes)} / ${kb(r.unpackedBytes)} | ${r.baseline ? mb(r.installedBytes) : above(r, r.installedBytes)} (${r.packages})${
      r.installedBytesOmitOptional === undefined
        ? ''
        : ` · ${above(r, r.installedBytesOmitOptional)} (${r.packagesOmitOptional}) with --omit=optional`
    } | ${ms(r.importMillis)} | ${ms(r.requireMillis)} |`;
  const head =
    '| package | tarball: packed / unpacked | fresh `npm install`: node_modules above the framework (packages in all) | `import()` | `require()` |\n|---|---|---|---|---|';
  return `# Install footprint and load time

Measured ${meta.date} on ${meta.cpu}, ${meta.cores} cores, Node.js ${meta.node}, by \`pnpm bench --footprint\`
(\`packages/bench/src/footprint.mjs\`, ${meta.seconds} s).

- **tarball**: \`npm pack --dry-run\` of the package (ours: the built workspace package; theirs: from npm).
- **fresh install**: \`npm install <package> <framework>\` (pino or winston; core alone) in an empty directory
  outside the workspace: the file bytes of \`node_modules\` above what the framework alone installs (its row
  below), and the number of packages in all. Ours include core (from its tarball) and, without
  \`--omit=optional\`, the native \`snappy\` binding for this platform.
- **load time**: \`await import(name)\` and \`require(name)\` in a fresh \`node\` started in that directory,
  timed inside the process (node's start-up excluded), median of ${meta.runs} runs. For the pino transports this
  is what a program pays if it imports the package on its main thread (for \`flushLoki\`); a
  \`pino.transport({ target })\` user loads the target in pino's worker, not on the main thread.

${head}
${rows
  .filter((r) => !r.baseline)
  .map(line)
  .join('\n')}

The frameworks alone, for reference:

${head}
${rows
  .filter((r) => r.baseline)
  .map(line)
  .join('\n')}
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runFootprint({ write: !process.argv.includes('--no-write') });
}
