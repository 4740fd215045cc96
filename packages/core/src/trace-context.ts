import { LokiOptionsError } from './errors.js';
import { metadataName } from './labels.js';
import { loadOptionalPeer } from './optional-peer.js';

/** Structured-metadata names of the trace context an entry carries (option `traceContext`). */
export interface TraceFieldNames {
  traceId: string;
  spanId: string;
  traceFlags: string;
}

/** The names OpenTelemetry's log data model and `@opentelemetry/instrumentation-pino` use. */
export const TRACE_FIELD_NAMES: Readonly<TraceFieldNames> = Object.freeze({
  traceId: 'trace_id',
  spanId: 'span_id',
  traceFlags: 'trace_flags',
});

/** The part of `@opentelemetry/api` read here (1.x; stable since 1.0). */
interface OtelApi {
  context: { active(): unknown };
  trace: {
    getSpan(context: unknown): { spanContext(): { traceId: string; spanId: string; traceFlags: number } } | undefined;
  };
  isSpanContextValid(spanContext: { traceId: string; spanId: string }): boolean;
}

/** Reads the active span's context on the calling thread: `[name, value]` pairs, or undefined without a span. */
export type TraceCapture = () => ReadonlyArray<readonly [string, string]> | undefined;

/**
 * `@opentelemetry/api` if the app has it. Every copy of the 1.x API shares one global registry, so any copy
 * found sees the app's context manager and spans.
 */
export function loadOtelApi(): OtelApi | null {
  return loadOptionalPeer<OtelApi>('@opentelemetry/api', (found) => {
    const api = found as Partial<OtelApi> | null;
    return (
      typeof api?.context?.active === 'function' &&
      typeof api.trace?.getSpan === 'function' &&
      typeof api.isSpanContextValid === 'function'
    );
  });
}

/**
 * The capture for a client, or undefined when tracing is off or `@opentelemetry/api` is absent (then a
 * log call pays nothing). With the API present and no active span, a call costs one context lookup.
 */
export function traceCapture(names: TraceFieldNames | false): TraceCapture | undefined {
  if (names === false) return undefined;
  const otel = loadOtelApi();
  if (otel === null) return undefined;
  const { traceId, spanId, traceFlags } = names;
  // Most entries come in runs from one span: its fields are built once (the mapper copies the pairs it adds).
  let lastContext: unknown;
  let lastPairs: Array<[string, string]> | undefined;
  return () => {
    let context;
    try {
      const span = otel.trace.getSpan(otel.context.active());
      if (span === undefined) return undefined;
      context = span.spanContext();
      if (context === lastContext) return lastPairs;
      if (!otel.isSpanContextValid(context)) return undefined;
    } catch {
      // A broken context manager must not cost the entry: it goes without trace fields.
      return undefined;
    }
    // Two hex digits, as W3C traceparent and instrumentation-pino write the flags.
    const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
    lastContext = context;
    lastPairs = [
      [traceId, context.traceId],
      [spanId, context.spanId],
      [traceFlags, flags],
    ];
    return lastPairs;
  };
}

/** The `traceContext` option to the metadata names it asks for, or false (checked by option-checks.ts first). */
export function resolveTraceFieldNames(
  option: boolean | Partial<TraceFieldNames> | undefined,
): TraceFieldNames | false {
  if (option === false) return false;
  if (option === undefined || option === true) return TRACE_FIELD_NAMES;
  const names = { ...TRACE_FIELD_NAMES };
  for (const key of Object.keys(TRACE_FIELD_NAMES) as Array<keyof TraceFieldNames>) {
    const given = option[key];
    if (given === undefined) continue;
    const name = metadataName(given);
    if (name === undefined) throw new LokiOptionsError(`traceContext.${key} "${given}" is not a usable metadata name`);
    names[key] = name;
  }
  return Object.freeze(names);
}
