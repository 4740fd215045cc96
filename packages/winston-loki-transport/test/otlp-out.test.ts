import { context, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LokiTransport } from '../src/index.js';
import { closeAfter, receiver } from './helpers.js';

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

describe.each([
  ['in the delivery worker', true],
  ['in-thread (worker: false)', false],
])("winston, %s: protocol 'otlp' (core's OTLP out)", (_name, worker) => {
  it("is stored by the OTLP endpoint with core's mapping: app -> service_name, the rest metadata, span ids lifted", async () => {
    const r = await receiver();
    const transport = closeAfter(
      new LokiTransport({
        host: r.url,
        exitHook: false,
        worker,
        protocol: 'otlp',
        labels: { app: 'shop', env: 'prod' },
      }),
    );
    const logger = winston.createLogger({ transports: [transport] });
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(SPAN)), () =>
      logger.error('in span', { user: 'u1' }),
    );
    await transport.flush();
    expect(r.stats().statusCounts).toEqual({ 204: 1 });
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ service_name: 'shop' });
    expect(entry!.metadata).toEqual({
      env: 'prod',
      severity_number: '17',
      severity_text: 'error',
      flags: '1',
      trace_id: SPAN.traceId,
      span_id: SPAN.spanId,
    });
    expect(JSON.parse(entry!.line)).toEqual({ message: 'in span', user: 'u1' });
  });

  // Also from the delivery worker: its sink turns off only the span lookup and keeps the names (it lost them
  // with `traceContext: false`, and the renamed fields stayed attributes).
  it("fields renamed by traceContext still become the record's own trace_id/span_id/flags", async () => {
    // The names traceContext gives are the names core lifts (core README, OTLP mapping).
    const r = await receiver();
    const transport = closeAfter(
      new LokiTransport({
        host: r.url,
        exitHook: false,
        worker,
        protocol: 'otlp',
        labels: { app: 'shop' },
        traceContext: { traceId: 'traceID', spanId: 'spanID', traceFlags: 'traceFlags' },
      }),
    );
    const logger = winston.createLogger({ transports: [transport] });
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(SPAN)), () =>
      logger.info('renamed', { user: 'u1' }),
    );
    await transport.flush();
    expect(r.stats().statusCounts).toEqual({ 204: 1 });
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ service_name: 'shop' });
    expect(entry!.metadata).toEqual({
      severity_number: '9',
      severity_text: 'info',
      flags: '1',
      trace_id: SPAN.traceId,
      span_id: SPAN.spanId,
    });
    expect(JSON.parse(entry!.line)).toEqual({ message: 'renamed', user: 'u1' });
  });
});
