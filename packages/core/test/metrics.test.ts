import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerLokiMetrics } from '../src/index.js';
import { client, receiver } from './helpers.js';
import { fromStats, requestCounts, scraped, withoutHistogram } from './metric-figures.js';

const fast = { retryInitialDelayMillis: 10, retryMaxDelayMillis: 50 };

describe('registerLokiMetrics (prom-client)', () => {
  it('after a 500 then success, a 400 and a full buffer, the registry shows what stats() says', async () => {
    const r = await receiver();
    const { client: c } = client(r, { ...fast, bufferMaxEntries: 5 });
    const registry = new Registry();
    const registered = registerLokiMetrics(c, { registry });
    expect(registered.ok).toBe(true);

    r.failNext(500);
    for (let i = 0; i < 3; i++) c.push({ message: `retried ${i}`, label_app: 'm' });
    await c.flush();
    r.failNext(400);
    c.push({ message: 'refused', label_app: 'm' });
    await c.flush();
    for (let i = 0; i < 8; i++) c.push({ message: `burst ${i}`, label_app: 'm' });
    await c.flush();

    const stats = c.stats();
    expect(stats.droppedByReason.buffer_full).toBe(3);
    expect(stats.retries).toBe(1);
    expect(r.entries()).toHaveLength(3 + 5);
    const json = await registry.getMetricsAsJSON();
    expect(withoutHistogram(scraped(json as never))).toEqual(fromStats(stats));
    // One observation per request, by the status Loki answered.
    const counts = requestCounts(json as never);
    expect(counts).toEqual({ '500': 1, '400': 1, '204': 2 });
    expect(Object.values(counts).reduce((a, b) => a + b)).toBe(stats.requests);
    expect(await registry.metrics()).toContain(
      'loki_write_request_duration_seconds_bucket{le="0.005",status_code="204"}',
    );
  });

  it('unregister() removes every metric and stops the histogram; a name already taken answers ERR_LOKI_METRICS', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    const registry = new Registry();
    const first = registerLokiMetrics(c, { registry, prefix: 'app_loki_' });
    if (!first.ok) throw first.error;
    expect(first.names).toContain('app_loki_sent_entries_total');
    const second = registerLokiMetrics(c, { registry, prefix: 'app_loki_' });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error).toMatchObject({ code: 'ERR_LOKI_METRICS', name: 'LokiError' });
    // The failed attempt took nothing of the first one's away.
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual(first.names);
    first.unregister();
    expect(registry.getMetricsAsArray()).toEqual([]);
    expect(registerLokiMetrics({}, { registry }).ok).toBe(false);
  });
});

describe('registerLokiMetrics without prom-client installed', () => {
  it('answers a LokiError ERR_LOKI_METRICS saying what to install, and the client goes on delivering', async () => {
    const r = await receiver();
    // The built package, alone in a folder whose node_modules has core's dependencies but no prom-client.
    const coreDir = join(dirname(fileURLToPath(import.meta.url)), '..');
    const app = mkdtempSync(join(tmpdir(), 'loki-no-prom-'));
    try {
      const pkg = join(app, 'node_modules', '@loki-sdk', 'core');
      mkdirSync(pkg, { recursive: true });
      cpSync(join(coreDir, 'dist'), join(pkg, 'dist'), { recursive: true });
      cpSync(join(coreDir, 'package.json'), join(pkg, 'package.json'));
      for (const dep of ['got', 'hpagent', 'snappyjs'])
        symlinkSync(join(coreDir, 'node_modules', dep), join(app, 'node_modules', dep), 'dir');
      writeFileSync(
        join(app, 'app.cjs'),
        `const { createLokiClient, registerLokiMetrics, LokiError } = require('@loki-sdk/core');
         const c = createLokiClient({ host: process.env.LOKI });
         const result = registerLokiMetrics(c);
         c.push({ message: 'no prom' });
         c.close().then((closed) => console.log(JSON.stringify({
           ok: result.ok, code: result.error.code, typed: result.error instanceof LokiError,
           message: result.error.message, delivered: closed.ok })));`,
      );
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['app.cjs'], {
          cwd: app,
          // pnpm's NODE_PATH reaches its hoisted store, prom-client included: not what an app without it has.
          env: { ...process.env, NODE_PATH: '', LOKI: r.url },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
        child.on('error', reject);
        child.on('close', () => resolve(text));
      });
      expect(JSON.parse(out)).toEqual({
        ok: false,
        code: 'ERR_LOKI_METRICS',
        typed: true,
        message: expect.stringContaining('npm install prom-client'),
        delivered: true,
      });
      expect(r.entries().map((e) => e.line)).toEqual(['no prom']);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});

describe('docs/grafana-dashboard.json and docs/metrics.md', () => {
  it('every panel query uses metrics registerLokiMetrics registers, and docs/metrics.md shows each query', async () => {
    const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs');
    const dashboard = JSON.parse(readFileSync(join(docs, 'grafana-dashboard.json'), 'utf8')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const page = readFileSync(join(docs, 'metrics.md'), 'utf8');
    const r = await receiver();
    const registered = registerLokiMetrics(client(r).client, { registry: new Registry() });
    if (!registered.ok) throw registered.error;
    const known = new Set(registered.names.flatMap((n) => [n, `${n}_bucket`, `${n}_count`, `${n}_sum`]));
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(4);
    for (const expr of exprs) {
      expect(page).toContain(`\`${expr}\``);
      for (const name of expr.match(/loki_write_\w+/g) ?? []) expect(known).toContain(name);
    }
    // Every metric is in the page's table.
    for (const name of registered.names) expect(page).toContain(`| \`${name}\` |`);
  });
});
