// `pnpm demo` and the examples as a user runs them: child processes. An environment variable that is
// set but empty (`LOKI_URL=` in a shell or a .env file) means unset, as everywhere we read one.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLokiReceiver } from '@loki-sdk/testing';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('..', import.meta.url));

function run(file: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      cwd: here,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('pnpm demo', () => {
  it(
    "LOKI_URL='' (set but empty) is unset: every example runs against the demo's receivers and delivers",
    { timeout: 90_000 },
    async () => {
      const { code, out } = await run('demo.mjs', { LOKI_URL: '', LOKI_TENANT: '', LOKI_USER: '', LOKI_TOKEN: '' });
      expect(out).not.toContain('not a valid URL');
      expect(out).toContain('All examples delivered their logs.');
      expect(code).toBe(0);
    },
  );
});

// What the NestJS examples store, as parsed JSON lines: Nest's own start-up logs, the handler's log and one
// request log per request, none lost and none twice.
async function runStored(file: string, app: string): Promise<{ out: string; lines: Record<string, unknown>[] }> {
  const receiver = await createLokiReceiver();
  try {
    const { code, out } = await run(file, { LOKI_URL: receiver.url });
    expect([code, out]).toEqual([0, expect.stringContaining('loki: acknowledged')]);
    const streams = receiver.streams(`{app="${app}"}`);
    expect(streams.map((s) => s.labels)).toEqual([{ app, level: 'info', service_name: app }]);
    return { out, lines: streams[0]!.entries.map((e) => JSON.parse(e.line) as Record<string, unknown>) };
  } finally {
    await receiver.close();
  }
}

describe('NestJS examples', () => {
  it('nestjs-pino: Nest logs through pino, a handler log bound to its request, one pino-http log per request', async () => {
    const { out, lines } = await runStored('nestjs-pino.mjs', 'nestjs-pino-demo');
    expect(out).toContain('GET /orders/A-1001 -> 200');
    expect(out).toContain('GET /missing -> 404');
    expect(lines.filter((l) => l.context === 'NestApplication').map((l) => l.msg)).toEqual([
      'Nest application successfully started',
    ]);
    const handler = lines.filter((l) => l.msg === 'order looked up');
    expect(handler).toEqual([expect.objectContaining({ context: 'OrdersController', orderId: 'A-1001' })]);
    const requests = lines.filter((l) => l.msg === 'request completed');
    type Req = { id: number; url: string };
    expect(requests.map((l) => [(l.req as Req).url, (l.res as { statusCode: number }).statusCode])).toEqual([
      ['/orders/A-1001', 200],
      ['/missing', 404],
    ]);
    // nestjs-pino's point: the handler's log carries the request it was written for.
    expect((handler[0]!.req as Req).id).toBe((requests[0]!.req as Req).id);
    expect(lines).toHaveLength(9);
  });

  it('nestjs-winston: Nest logs, the handler log with its meta and one request log per request', async () => {
    const { out, lines } = await runStored('nestjs-winston.mjs', 'nestjs-winston-demo');
    expect(out).toContain('GET /missing -> 404');
    expect(lines.filter((l) => l.context === 'NestApplication').map((l) => l.message)).toEqual([
      'Nest application successfully started',
    ]);
    expect(lines.filter((l) => l.context === 'OrdersController')).toEqual([
      { message: 'order looked up', context: 'OrdersController', orderId: 'A-1001' },
    ]);
    const requests = lines.filter((l) => l.context === 'HTTP');
    expect(requests.map((l) => [l.message, l.method, l.url, l.status])).toEqual([
      ['request completed', 'GET', '/orders/A-1001', 200],
      ['request completed', 'GET', '/missing', 404],
    ]);
    expect(lines).toHaveLength(8);
  });
});

describe('examples/prometheus-metrics.mjs', () => {
  it('serves /metrics with every metric, their values those of stats() after a burst past the buffer bound', async () => {
    const r = await createLokiReceiver();
    try {
      const { code, out } = await run('prometheus-metrics.mjs', { LOKI_URL: r.url });
      expect(out).toMatch(/: 18 metrics, 0 missing/);
      expect(out).toContain('loki_write_dropped_entries_total{reason="buffer_full"} 10');
      expect(out).not.toContain('!!');
      expect(code).toBe(0);
      expect(r.entries()).toHaveLength(25);
    } finally {
      await r.close();
    }
  });
});

describe('environment variables: one rule, in core', () => {
  it('every example, package source and bench script reads its environment through envValue() (an empty value is unset)', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const dirs = ['examples', ...readdirSync(join(root, 'packages')).map((p) => join('packages', p, 'src'))];
    const files = dirs.flatMap((d) =>
      readdirSync(join(root, d))
        .filter((f) => /\.(mjs|ts)$/.test(f))
        .map((f) => join(d, f)),
    );
    expect(files).toContain(join('packages', 'bench', 'src', 'run.mjs'));
    for (const file of files) {
      // A read is `process.env.NAME` or `process.env[...]` outside a comment; copying the whole env for a
      // child is not one.
      const code = readFileSync(join(root, file), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*)/.test(line))
        .join('\n');
      expect([file, code.match(/process\.env(\.\w+|\[)/g) ?? []]).toEqual([file, []]);
    }
  });
});
