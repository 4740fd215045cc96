import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LokiOptionsError } from '../src/index.js';
import { LokiSDK } from '../src/sdk-entry.js';
import { client, receiver } from './helpers.js';

const SPAN: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
};

/** Runs `fn` with a span of the given context active, as an instrumented app's request handler would. */
function inSpan<T>(fn: () => T, spanContext: SpanContext = SPAN): T {
  return context.with(trace.setSpan(context.active(), trace.wrapSpanContext(spanContext)), fn);
}

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  context.disable();
});

describe('trace context: entries logged inside a span carry its ids as structured metadata', () => {
  it('core push() inside a span: trace_id, span_id, trace_flags equal the span; never labels', async () => {
    const r = await receiver();
    const { client: c } = client(r, { labels: { app: 'traced' } });
    inSpan(() => c.push({ message: 'in span', level: 'info' }));
    c.push({ message: 'no span', level: 'info' });
    expect((await c.flush()).ok).toBe(true);
    const byLine = Object.fromEntries(r.entries().map((e) => [e.line, e]));
    expect(byLine['in span']!.metadata).toEqual({
      trace_id: SPAN.traceId,
      span_id: SPAN.spanId,
      trace_flags: '01',
    });
    expect(byLine['in span']!.labels).toEqual({ app: 'traced', level: 'info' });
    expect(byLine['no span']!.metadata).toEqual({});
  });

  it('the span where push() is called, also after an await inside it', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    const other: SpanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE };
    await Promise.all([
      inSpan(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        c.push({ message: 'first' });
      }),
      inSpan(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        c.push({ message: 'second' });
      }, other),
    ]);
    await c.flush();
    const byLine = Object.fromEntries(r.entries().map((e) => [e.line, e.metadata]));
    expect(byLine.first).toMatchObject({ trace_id: SPAN.traceId, span_id: SPAN.spanId, trace_flags: '01' });
    expect(byLine.second).toMatchObject({ trace_id: other.traceId, span_id: other.spanId, trace_flags: '00' });
  });

  it('traceContext: false sends none; field names can be renamed', async () => {
    const r = await receiver();
    const { client: off } = client(r, { labels: { c: 'off' }, traceContext: false });
    const { client: renamed } = client(r, {
      labels: { c: 'renamed' },
      traceContext: { traceId: 'traceID', spanId: 'spanID' },
    });
    inSpan(() => {
      off.push({ message: 'off' });
      renamed.push({ message: 'renamed' });
    });
    await Promise.all([off.flush(), renamed.flush()]);
    const byLine = Object.fromEntries(r.entries().map((e) => [e.line, e.metadata]));
    expect(byLine.off).toEqual({});
    expect(byLine.renamed).toEqual({ traceID: SPAN.traceId, spanID: SPAN.spanId, trace_flags: '01' });
  });

  it("the record's own trace fields win over the active span's", async () => {
    const r = await receiver();
    const { client: c } = client(r);
    inSpan(() => c.push({ message: 'own', metadata: { trace_id: 'mine' } }));
    await c.flush();
    expect(r.entries()[0]!.metadata).toEqual({ trace_id: 'mine', span_id: SPAN.spanId, trace_flags: '01' });
  });

  it('an invalid span context (all zeros) adds nothing', async () => {
    const r = await receiver();
    const { client: c } = client(r);
    inSpan(() => c.push({ message: 'invalid' }), {
      traceId: '0'.repeat(32),
      spanId: '0'.repeat(16),
      traceFlags: TraceFlags.NONE,
    });
    await c.flush();
    expect(r.entries()[0]!.metadata).toEqual({});
  });

  it('unusable traceContext values are typed option errors', async () => {
    const r = await receiver();
    expect(() => client(r, { traceContext: 'yes' as never })).toThrow(LokiOptionsError);
    expect(() => client(r, { traceContext: { traceid: 'x' } as never })).toThrow(/no field "traceid"/);
    expect(() => client(r, { traceContext: { traceId: '' } })).toThrow(/traceContext\.traceId/);
  });

  it('the direct SDK: a log call inside a span carries its ids', async () => {
    const r = await receiver();
    const sdk = new LokiSDK().init({
      appName: 'traced-sdk',
      endpoints: { loki: r.pushUrl },
      printToConsole: false,
      exitHook: false,
    });
    try {
      inSpan(() => void sdk.info('sdk in span'));
      await sdk.flush();
      expect(r.entries()[0]!.metadata).toMatchObject({ trace_id: SPAN.traceId, span_id: SPAN.spanId });
    } finally {
      await sdk.close();
    }
  });

  it('the direct SDK with worker: true: the span is read at the call, its ids stored as in-thread', async () => {
    const stored = [];
    for (const worker of [false, true]) {
      const r = await receiver();
      const sdk = new LokiSDK().init({
        appName: 'traced-sdk',
        endpoints: { loki: r.pushUrl },
        printToConsole: false,
        exitHook: false,
        worker,
      });
      try {
        inSpan(() => void sdk.info('sdk in span', { span_id: 'its own', user: 'u1' }));
        inSpan(() => void sdk.info('other span'), { ...SPAN, spanId: '1111111111111111' });
        void sdk.info('no span');
        await sdk.flush();
        stored.push(r.entries().map(({ line, labels, metadata }) => ({ line, labels, metadata })));
      } finally {
        await sdk.close();
      }
    }
    expect(stored[0]![1]!.metadata).toMatchObject({ trace_id: SPAN.traceId, span_id: '1111111111111111' });
    expect(stored[1]).toEqual(stored[0]);
  });
});

describe('trace context without @opentelemetry/api installed', () => {
  it('an app without the package logs as before: no error, no trace fields', async () => {
    const r = await receiver();
    // The built package, alone in a folder whose node_modules has core's dependencies but no @opentelemetry/api.
    const here = dirname(fileURLToPath(import.meta.url));
    const coreDir = join(here, '..');
    const app = mkdtempSync(join(tmpdir(), 'loki-no-otel-'));
    try {
      const pkg = join(app, 'node_modules', '@loki-sdk', 'core');
      mkdirSync(pkg, { recursive: true });
      cpSync(join(coreDir, 'dist'), join(pkg, 'dist'), { recursive: true });
      cpSync(join(coreDir, 'package.json'), join(pkg, 'package.json'));
      for (const dep of ['got', 'hpagent', 'snappyjs']) {
        symlinkSync(join(coreDir, 'node_modules', dep), join(app, 'node_modules', dep), 'dir');
      }
      writeFileSync(
        join(app, 'app.mjs'),
        `import { createLokiClient } from '@loki-sdk/core';
         const errors = [];
         const c = createLokiClient({ host: process.env.LOKI, onError: (e) => errors.push(e.code) });
         c.push({ message: 'no otel' });
         const result = await c.close();
         console.log(JSON.stringify({ ok: result.ok, errors }));`,
      );
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['app.mjs'], {
          cwd: app,
          env: { ...process.env, LOKI: r.url },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
        child.on('error', reject);
        child.on('close', () => resolve(text));
      });
      expect(JSON.parse(out)).toEqual({ ok: true, errors: [] });
      expect(r.entries().map((e) => [e.line, e.metadata])).toEqual([['no otel', {}]]);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
