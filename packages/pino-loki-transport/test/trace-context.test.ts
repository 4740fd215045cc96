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
const inSpan = <T>(fn: () => T): T => context.with(trace.setSpan(context.active(), trace.wrapSpanContext(SPAN)), fn);

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe('pino: traceMixin on the app thread, the ids lifted into structured metadata in the worker', () => {
  it('a line logged inside a span is stored with its trace_id, span_id, trace_flags as metadata, not in the line', async () => {
    const r = await receiver();
    const { logger } = lokiLogger(r, { labels: { t: 'mixin' } }, { mixin: traceMixin, base: undefined });
    inSpan(() => logger.info({ user: 'u1' }, 'in span'));
    logger.info('no span');
    await flushLogger(logger);
    await r.waitForEntries(2);
    const byMsg = Object.fromEntries(r.entries().map((e) => [(JSON.parse(e.line) as { msg: string }).msg, e]));
    expect(byMsg['in span']!.metadata).toEqual({ trace_id: SPAN.traceId, span_id: SPAN.spanId, trace_flags: '01' });
    const line = JSON.parse(byMsg['in span']!.line) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'in span', user: 'u1' });
    expect(line).not.toHaveProperty('trace_id');
    expect(byMsg['in span']!.labels).toEqual({ t: 'mixin', level: 'info' });
    expect(byMsg['no span']!.metadata).toEqual({});
  });

  it("instrumentation-pino's fields (already in the record) are lifted too; traceContext: false leaves them", async () => {
    const r = await receiver();
    const fields = { trace_id: SPAN.traceId, span_id: SPAN.spanId, trace_flags: '01' };
    const { logger } = lokiLogger(r, { labels: { t: 'on' } }, { base: undefined });
    const { logger: off } = lokiLogger(r, { labels: { t: 'off' }, traceContext: false }, { base: undefined });
    logger.info(fields, 'injected');
    off.info(fields, 'left');
    await Promise.all([flushLogger(logger), flushLogger(off)]);
    await r.waitForEntries(2);
    const [on] = r.entries({ t: 'on' });
    const [left] = r.entries({ t: 'off' });
    expect(on!.metadata).toEqual(fields);
    expect(JSON.parse(on!.line)).not.toHaveProperty('trace_id');
    expect(left!.metadata).toEqual({});
    expect(JSON.parse(left!.line)).toMatchObject(fields);
  });

  it('createTraceMixin renames the fields; the transport lifts the names it is given', async () => {
    const r = await receiver();
    const names = { traceId: 'traceID', spanId: 'spanID', traceFlags: 'traceFlags' };
    const { logger } = lokiLogger(r, { traceContext: names }, { mixin: createTraceMixin(names), base: undefined });
    inSpan(() => logger.info('renamed'));
    await flushLogger(logger);
    const [entry] = await r.waitForEntries(1);
    expect(entry!.metadata).toEqual({ traceID: SPAN.traceId, spanID: SPAN.spanId, traceFlags: '01' });
  });

  it('with no span the mixin adds nothing', () => {
    expect(traceMixin()).toEqual({});
  });
});
