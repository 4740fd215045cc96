// The cross-runtime suite. Runs every fixture under Node (this process's binary), Bun and Deno against
// one receiver (@loki-sdk/testing, on Node, in this process), checks what the receiver stored, prints
// the support table and checks it against docs/runtimes.md and the root README (or writes both with --write).
//
//   node src/run.mjs --bun /path/to/bun --deno /path/to/deno [--write] [--only bun,deno]
//
// Exit status 1 when a hard check fails (a Node cell that is not `yes`, a fixture that hangs or ends
// with another exit status than the app asked for) or when the table differs from the docs.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLokiReceiver } from '@loki-sdk/testing';
import { CASES } from './cases.mjs';
import { fail } from './cells.mjs';
import { baseNs } from './fixture-run.mjs';
import { installPacked } from './packed-install.mjs';
import { listRuntimes, parseSuiteArgs } from './runtime-list.mjs';
import { checkDocs, supportTable } from './support-table.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '..', '..', '..');
const fixtures = join(here, '..', 'fixtures');
const docsFiles = [join(here, '..', '..', '..', 'docs', 'runtimes.md'), join(here, '..', '..', '..', 'README.md')];

const argv = parseSuiteArgs();
const runtimes = listRuntimes(argv, repo, fixtures);
const packed = argv.packed ? installPacked(repo, fixtures) : undefined;
/** What every case reads: the receiver the fixtures send to, where the fixtures run from, their entry times. */
const suite = { receiver: undefined, fixtures: packed?.fixtures ?? fixtures, baseNs: baseNs() };
let runCounter = 0;

async function pool(tasks, jobs) {
  const results = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

const suiteStarted = Date.now();
suite.receiver = await createLokiReceiver({ discoverServiceName: false, discoverLogLevels: false });
const tasks = [];
for (const rt of runtimes) {
  for (const [entry, guarantee, runCase] of CASES) {
    tasks.push(async () => {
      const run = `${rt.name}-${++runCounter}`;
      const started = Date.now();
      let cell;
      try {
        cell = await runCase(rt, run, suite);
      } catch (err) {
        cell = fail(`driver error: ${err.stack}`);
      }
      if (rt.name === 'node' && !/^(yes|n\/a)/.test(cell.text) && !cell.hard) cell = { ...cell, hard: true };
      const millis = Date.now() - started;
      console.log(
        `${cell.hard ? 'FAIL' : 'ok  '} ${rt.title.padEnd(5)} ${String(millis).padStart(6)} ms  ${entry} / ${guarantee}: ${cell.text}`,
      );
      if (cell.detail) console.log(`     ${cell.detail.replace(/\n/g, '\n     ')}`);
      return { rt: rt.name, entry, guarantee, cell, millis };
    });
  }
}
const results = await pool(tasks, Math.max(1, Number(argv.jobs)));
await suite.receiver.close();
if (packed) rmSync(packed.packedDir, { recursive: true, force: true });

const { table, versions } = supportTable(runtimes, results);
const installed = argv.packed ? 'the packed tarballs installed with npm' : 'the workspace packages';
console.log(`\n${table}\n\n${versions}`);

const perRuntime = runtimes
  .map(
    (rt) =>
      `${rt.title} ${(results.filter((r) => r.rt === rt.name).reduce((n, r) => n + r.millis, 0) / 1000).toFixed(1)} s`,
  )
  .join(', ');
console.log(
  `\ncross-runtime suite: ${results.length} cases in ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s (${argv.jobs} at a time; summed per runtime: ${perRuntime})`,
);

let failed = results.filter((r) => r.cell.hard).length;
if (runtimes.length === 3) {
  const section = `\n${table}\n\nLast generated with ${versions}, from ${installed}.\n`;
  failed += checkDocs(docsFiles, table, section, argv.write);
} else console.log('(not all three runtimes: the tables were not checked)');
process.exit(failed > 0 ? 1 : 0);
