// The cases: one row of the support table each, an entry point and a guarantee, checked per runtime.
import {
  compressionCell,
  countOf,
  deliveryCell,
  diskCell,
  expectedLines,
  fail,
  KILL_9,
  labelsAre,
  messageOf,
  msgOf,
  range,
} from './cells.mjs';
import { runFixture } from './fixture-run.mjs';

const EXIT_GUARANTEES = [
  ['exit', 'process.exit() right after logging'],
  ['natural', 'natural end (the event loop runs dry)'],
  ['uncaught', 'uncaught exception, the handler logs and exits'],
  ['throw', 'uncaught exception, no handler'],
  ['reject', 'unhandled promise rejection, no handler'],
];

/** Deno's permissions: what each guarantee needs (the exit drain spawns a child: --allow-run, --allow-env). */
const DENO_PERMISSIONS = [
  [['--allow-net'], 'flush', '`flush()` delivers'],
  [['--allow-net'], 'exit', 'process.exit() right after logging'],
  [['--allow-net', '--allow-env'], 'exit', 'process.exit() right after logging'],
  [['--allow-net', '--allow-env', '--allow-run'], 'exit', 'process.exit() right after logging'],
];

/** The suite: [entry point, guarantee, (runtime, run id, suite) => cell]. */
export const CASES = [
  [
    'core `createLokiClient`',
    '`flush()` delivers: labels, metadata, exact times',
    async (rt, run, suite) => {
      const result = await runFixture(suite, rt, 'core-client.mjs', [suite.receiver.url, run, 'flush']);
      return deliveryCell(suite, result, 'flush', run, range('flush', 5), undefined, (entries) => {
        if (!result.report?.ok) return `flush() result ${JSON.stringify(result.report)}`;
        for (const [i, e] of entries.entries()) {
          if (e.timestamp !== String(suite.baseNs + BigInt(i))) return `timestamp ${e.timestamp}`;
          if (e.metadata.order_id !== `A-${i}`) return `metadata ${JSON.stringify(e.metadata)}`;
        }
        return labelsAre({ suite: 'cross-runtime', run, level: 'info', region: 'eu' })(entries);
      });
    },
  ],
  ...EXIT_GUARANTEES.map(([mode, guarantee]) => [
    'core `createLokiClient`',
    guarantee,
    async (rt, run, suite) => {
      const result = await runFixture(suite, rt, 'core-client.mjs', [
        suite.receiver.url,
        run,
        mode,
        String(countOf(mode)),
      ]);
      return deliveryCell(suite, result, mode, run, expectedLines(mode, 'fatal: boom'));
    },
  ]),
  [
    'core `createLokiClient`',
    KILL_9,
    (rt, run, suite) =>
      diskCell(suite, rt, run, 'disk.mjs', [], (entries) => {
        for (const [i, e] of entries.entries())
          if (e.timestamp !== String(suite.baseNs + BigInt(i) * 1000n)) return `timestamp ${e.timestamp}`;
        return undefined;
      }),
  ],
  [
    'core `createLokiClient`',
    'snappy for protobuf pushes (`stats().compression`)',
    async (rt, run, suite) => {
      const result = await runFixture(suite, rt, 'core-client.mjs', [suite.receiver.url, run, 'flush']);
      const cell = await deliveryCell(suite, result, 'flush', run, range('flush', 5));
      return cell.text === 'yes' ? { text: compressionCell(result.report?.compression) } : cell;
    },
  ],
  [
    'core `createLokiClient`',
    'snappy when the native binding cannot load (Deno: no `--allow-ffi`)',
    async (rt, run, suite) => {
      const result = await runFixture(suite, rt, 'core-client.mjs', [suite.receiver.url, run, 'flush'], {
        runtimeArgs: rt.hideSnappy,
      });
      const cell = await deliveryCell(suite, result, 'flush', run, range('flush', 5));
      if (cell.text !== 'yes') return cell;
      return result.report?.compression === 'snappy-js'
        ? { text: compressionCell('snappy-js') }
        : fail(`compression ${result.report?.compression}: the binding was not hidden`);
    },
  ],
  [
    'core direct SDK (`initSdk`, `info`, `flush`)',
    '`flush()` delivers: app, environment, level labels',
    async (rt, run, suite) => {
      const result = await runFixture(suite, rt, 'sdk.mjs', [suite.receiver.url, run, 'flush']);
      return deliveryCell(suite, result, 'flush', { environment: run }, range('flush', 2), undefined, (entries) => {
        if (!result.report?.ok) return `flush() result ${JSON.stringify(result.report)}`;
        if (entries[0].metadata.order_id !== 'A-1') return `metadata ${JSON.stringify(entries[0].metadata)}`;
        return labelsAre((e) => ({
          app: 'cross-runtime',
          environment: run,
          component: 'sdk',
          level: e.line.endsWith('0') ? 'info' : 'warning',
        }))(entries);
      });
    },
  ],
  [
    'core direct SDK (`initSdk`, `info`, `flush`)',
    'process.exit() right after logging',
    async (rt, run, suite) => {
      // The SDK labels its stream with environment (= the run id), not `run`.
      const result = await runFixture(suite, rt, 'sdk.mjs', [suite.receiver.url, run, 'exit']);
      return deliveryCell(suite, result, 'exit', { environment: run }, range('exit', 2));
    },
  ],
  [
    "pino transport (in pino's worker thread)",
    '`flushLoki()` delivers; snappy in the worker',
    async (rt, run, suite) => {
      const result = await runFixture(suite, rt, 'pino.mjs', [suite.receiver.url, run, 'flush']);
      const cell = await deliveryCell(suite, result, 'flush', run, range('flush', 5), msgOf, (entries) => {
        if (!result.report?.ok) return `flushLoki() result ${JSON.stringify(result.report)}`;
        if (entries[0].metadata.order_id !== undefined && entries[0].metadata.order_id !== 'A-0')
          return `metadata ${JSON.stringify(entries[0].metadata)}`;
        return labelsAre({ suite: 'cross-runtime', run, level: 'info' })(entries);
      });
      return cell.text === 'yes' ? { text: compressionCell(result.report.compression) } : cell;
    },
  ],
  ...EXIT_GUARANTEES.map(([mode, guarantee]) => [
    "pino transport (in pino's worker thread)",
    guarantee,
    async (rt, run, suite) => {
      const result = await runFixture(suite, rt, 'pino.mjs', [suite.receiver.url, run, mode, String(countOf(mode))]);
      return deliveryCell(suite, result, mode, run, expectedLines(mode, 'fatal: boom'), msgOf);
    },
  ]),
  [
    "pino transport (in pino's worker thread)",
    KILL_9,
    (rt, run, suite) => diskCell(suite, rt, run, 'pino.mjs', [], undefined, msgOf),
  ],
  ...['worker', 'main'].flatMap((thread) =>
    EXIT_GUARANTEES.map(([mode, guarantee]) => [
      thread === 'worker' ? 'winston transport (delivery worker, the default)' : 'winston transport (`worker: false`)',
      mode === 'uncaught' ? 'uncaught exception, `handleExceptions` logs and exits' : guarantee,
      async (rt, run, suite) => {
        const result = await runFixture(suite, rt, 'winston.mjs', [
          suite.receiver.url,
          run,
          thread,
          mode,
          String(countOf(mode)),
        ]);
        // winston's exception handler writes `uncaughtException: <message>` and a stack.
        const cell = await deliveryCell(
          suite,
          result,
          mode,
          run,
          expectedLines(mode, 'uncaughtException: boom'),
          (e) => messageOf(e).split('\n')[0],
        );
        // (No report where the runtime emits no `exit`: Deno's crashes; its other runs tell.)
        if (result.report !== undefined && result.report.thread !== thread)
          return fail(`ran in the ${result.report?.thread ?? 'unknown'} thread, not the ${thread} one`);
        return cell;
      },
    ]).concat([
      [
        thread === 'worker'
          ? 'winston transport (delivery worker, the default)'
          : 'winston transport (`worker: false`)',
        KILL_9,
        (rt, run, suite) => diskCell(suite, rt, run, 'winston.mjs', [thread], undefined, messageOf),
      ],
    ]),
  ),
  ...DENO_PERMISSIONS.map(([flags, mode, guarantee]) => [
    'core `createLokiClient`, Deno with fewer permissions',
    `\`deno run ${flags.join(' ')}\`: ${guarantee}`,
    async (rt, run, suite) => {
      if (rt.name !== 'deno') return { text: 'n/a' };
      const result = await runFixture(
        suite,
        rt,
        'core-client.mjs',
        [suite.receiver.url, run, mode, String(countOf(mode))],
        {
          runtimeArgs: ['run', ...flags],
        },
      );
      return deliveryCell(suite, result, mode, run, expectedLines(mode, 'fatal: boom'));
    },
  ]),
];
