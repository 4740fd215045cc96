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
const inSpan = <T>(fn: () => T): T => context.with(trace.setSpan(context.active(), trace.wrapSpanContext(SPAN)), fn);

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe.each([
  ['in the delivery worker', true],
  ['in-thread (worker: false)', false],
])('winston, %s: a log call inside a span carries its ids as structured metadata', (_name, worker) => {
  it('trace_id, span_id, trace_flags equal the span; none outside it; none with traceContext: false', async () => {
    const r = await receiver();
    const on = closeAfter(new LokiTransport({ host: r.url, exitHook: false, worker, labels: { t: 'on' } }));
    const off = closeAfter(
      new LokiTransport({ host: r.url, exitHook: false, worker, labels: { t: 'off' }, traceContext: false }),
    );
    const logger = winston.createLogger({ transports: [on] });
    const loggerOff = winston.createLogger({ transports: [off] });
    inSpan(() => {
      logger.info('in span', { user: 'u1' });
      loggerOff.info('off in span');
    });
    logger.info('no span');
    await Promise.all([on.flush(), off.flush()]);
    const byLine = Object.fromEntries(r.entries().map((e) => [JSON.parse(e.line).message as string, e]));
    expect(byLine['in span']!.metadata).toEqual({ trace_id: SPAN.traceId, span_id: SPAN.spanId, trace_flags: '01' });
    expect(byLine['in span']!.labels).toEqual({ t: 'on', level: 'info' });
    expect(JSON.parse(byLine['in span']!.line)).toEqual({ message: 'in span', user: 'u1' });
    expect(byLine['no span']!.metadata).toEqual({});
    expect(byLine['off in span']!.metadata).toEqual({});
  });
});
