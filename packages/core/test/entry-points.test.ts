// The public shape of @loki-sdk/core: three entry points (`.`, `./sdk`, `./adapter`), loaded from the built
// package as apps and transports load them (ESM, CommonJS, TypeScript nodenext), and the rule that the
// transports' sources use `./adapter` only. See docs/architecture.md, "The adapter seam".
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** `.`: what an app needs to make a client, recognise its errors and size its settings. At most 8. */
const ROOT = [
  'DEFAULTS',
  'DIAGNOSTICS_CHANNELS',
  'LokiError',
  'LokiOptionsError',
  'createLokiClient',
  'envValue',
  'registerLokiMetrics',
];
const ROOT_MAX_RUNTIME_VALUES = 8;
const SDK = [
  'LokiError',
  'LokiOptionsError',
  'LokiSDK',
  'SDK_DEFAULTS',
  'close',
  'critical',
  'debug',
  'error',
  'fatal',
  'flush',
  'getSdk',
  'info',
  'initSdk',
  'warn',
  'warning',
];
const ADAPTER = [
  // The options schema.
  'CLIENT_OPTION_SCHEMA',
  'aliasNames',
  'aliasesOf',
  'checkAliases',
  'checkOf',
  'checkSchemaOptions',
  'defaultsOf',
  'optionsTable',
  'readmeTableBlock',
  'replacedNameHints',
  'translateAliases',
  'withReadmeTable',
  'DISK_BUFFER_DEFAULTS',
  'PUSH_PATH',
  'COMPRESSIONS',
  'CLIENT_OPTION_NAMES',
  'DEFAULTS',
  'DeliveryWorkerHost',
  'DROP_REASONS',
  'LABEL_FIELD_PREFIX',
  'LokiError',
  'LokiOptionsError',
  'MAX_TIMESTAMP_NS',
  'MIN_TIMESTAMP_NS',
  'checkClientOptions',
  'createEntrySink',
  'emptyStats',
  'describeValue',
  'entryCount',
  'findWorkerFile',
  'envValue',
  'isLabelField',
  'labelsWithFields',
  'LINE_FORMATS',
  'LINE_FORMAT_ALIASES',
  'lineFormatOf',
  'lineFormatSpec',
  'labelValueToString',
  'messageToLine',
  'metadataName',
  'metadataValueToString',
  'nowNs',
  'optionChecks',
  'redactHeaders',
  'redactUrl',
  'redactedForm',
  'resolvePushUrl',
  'resolveTraceFieldNames',
  'runDeliveryWorker',
  'registerLokiMetrics',
  'METRICS_SOURCE',
  'observeClientRequests',
  'safeStringify',
  'startDeliveryWorker',
  'suggestName',
  'traceCapture',
  'TRACE_FIELD_NAMES',
  'timestampToNs',
  'timestampToWire',
  'unknownOptionsError',
  'warnOncePerCode',
  'writeStderrLine',
].sort();

function runNode(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, NODE_OPTIONS: '' };
    const child = spawn(process.execPath, [join(fixtures, file)], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('entry points of the built package', () => {
  it(`ESM: \`.\` has at most ${ROOT_MAX_RUNTIME_VALUES} runtime values; ./sdk, ./adapter as listed; one graph`, async () => {
    const run = await runNode('entry-points.mjs');
    expect(run.stderr).toBe('');
    const shape = JSON.parse(run.stdout);
    expect(shape.root.length).toBeLessThanOrEqual(ROOT_MAX_RUNTIME_VALUES);
    const requireShape = 'function,function,function';
    expect(shape).toEqual({ root: ROOT, sdk: SDK, adapter: ADAPTER, sameClasses: true, requireShape });
  });

  it(`CommonJS: the same three shapes, one copy of core's modules behind them`, async () => {
    const run = await runNode('entry-points.cjs');
    expect(run.stderr).toBe('');
    const shape = JSON.parse(run.stdout);
    expect(shape.root.length).toBeLessThanOrEqual(ROOT_MAX_RUNTIME_VALUES);
    const createdThroughRoot = 'function';
    expect(shape).toEqual({ root: ROOT, sdk: SDK, adapter: ADAPTER, sameClasses: true, createdThroughRoot });
  });

  it('TypeScript (nodenext): ESM and CommonJS consumers type-check', { timeout: 60_000 }, async () => {
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, [tsc, '-p', join(fixtures, 'types', 'tsconfig.json')], (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });
});

/** Every module specifier a source file names: static and dynamic imports, re-exports, require(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;
  for (const m of source.matchAll(specifier)) found.push(m[2]!);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

describe('the adapter seam', () => {
  // A transport is a published package that depends on core; what it takes from core is the contract.
  const transports = readdirSync(packagesDir).filter((name) => {
    const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8'));
    return manifest.private !== true && manifest.dependencies?.['@loki-sdk/core'] !== undefined;
  });

  it("the transports' sources import core only as '@loki-sdk/core/adapter'", () => {
    expect(transports.sort()).toEqual(['pino-loki-transport', 'winston-loki-transport']);
    for (const name of transports) {
      const files = sourceFiles(join(packagesDir, name, 'src'));
      expect(files.length, name).toBeGreaterThan(0);
      const uses = files.flatMap((file) =>
        specifiers(readFileSync(file, 'utf8'))
          .filter((s) => s.startsWith('@loki-sdk/core') || /(^|\/)core\/(src|dist)\b/.test(s))
          .map((s) => `${file.slice(packagesDir.length)}: ${s}`),
      );
      expect(uses.length, name).toBeGreaterThan(0);
      expect(
        uses.filter((u) => !u.endsWith(': @loki-sdk/core/adapter')),
        name,
      ).toEqual([]);
    }
  });

  it('the scan sees every form of import', () => {
    const source = [
      "import { a } from '@loki-sdk/core';",
      'import type { B } from "@loki-sdk/core/sdk";',
      "export { c } from '@loki-sdk/core/adapter';",
      "const d = await import('../../core/src/client.js');",
      "const e = require('@loki-sdk/core');",
      "import '@loki-sdk/core/adapter';",
    ].join('\n');
    expect(specifiers(source)).toEqual([
      '@loki-sdk/core',
      '@loki-sdk/core/sdk',
      '@loki-sdk/core/adapter',
      '../../core/src/client.js',
      '@loki-sdk/core',
      '@loki-sdk/core/adapter',
    ]);
  });
});
