import { context, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTraceMixin, traceMixin } from '../src/index.js';
import { flushLogger, lokiLogger, receiver } from './helpers.js';

const SPAN: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
};

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe("pino: protocol 'otlp' (core's OTLP out, from the worker)", () => {
  it("is stored by the OTLP endpoint with core's mapping: app -> service_name, the rest metadata, span ids lifted", async () => {
    const r = await receiver();
    const { logger, errors } = lokiLogger(
      r,
      { protocol: 'otlp', labels: { app: 'shop', env: 'prod' } },
      { mixin: traceMixin, base: undefined },
    );
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(SPAN)), () =>
      logger.warn({ user: 'u1' }, 'in span'),
    );
    await flushLogger(logger);
    await r.waitForEntries(1);
    expect(errors).toEqual([]);
    const [entry] = r.entries();
    expect(r.stats().statusCounts).toEqual({ 204: 1 });
    expect(entry!.labels).toEqual({ service_name: 'shop' });
    expect(entry!.metadata).toEqual({
      env: 'prod',
      severity_number: '13',
      severity_text: 'warn',
      flags: '1',
      trace_id: SPAN.traceId,
      span_id: SPAN.spanId,
    });
    expect(JSON.parse(entry!.line)).toMatchObject({ msg: 'in span', user: 'u1' });
  });

  it("fields renamed by traceContext (and createTraceMixin) still become the record's own trace_id/span_id/flags", async () => {
    // The names traceContext gives are the names core lifts (core README, OTLP mapping): an OTLP record has
    // its own trace fields, so the renamed ones do not stay behind as attributes.
    const r = await receiver();
    const names = { traceId: 'traceID', spanId: 'spanID', traceFlags: 'traceFlags' };
    const { logger, errors } = lokiLogger(
      r,
      { protocol: 'otlp', labels: { app: 'shop' }, traceContext: names },
      { mixin: createTraceMixin(names), base: undefined },
    );
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(SPAN)), () =>
      logger.info({ user: 'u1' }, 'renamed'),
    );
    await flushLogger(logger);
    const [entry] = await r.waitForEntries(1);
    expect(errors).toEqual([]);
    expect(entry!.labels).toEqual({ service_name: 'shop' });
    expect(entry!.metadata).toEqual({
      severity_number: '9',
      severity_text: 'info',
      flags: '1',
      trace_id: SPAN.traceId,
      span_id: SPAN.spanId,
    });
    expect(JSON.parse(entry!.line)).not.toHaveProperty('traceID');
  });
});
