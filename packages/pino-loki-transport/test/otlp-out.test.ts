import { context, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceMixin } from '../src/index.js';
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
});
