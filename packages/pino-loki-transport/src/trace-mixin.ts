import { TRACE_FIELD_NAMES, traceCapture, type TraceFieldNames } from '@loki-sdk/core/adapter';

type Mixin = () => Record<string, string>;

const NONE: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);

/**
 * A pino `mixin` that writes the active span's `trace_id`, `span_id` and `trace_flags` into each line
 * (pino calls it on the app's thread, where the span is; the worker has none). The transport then sends
 * them as structured metadata. With `@opentelemetry/api` absent, or no active span, it adds nothing.
 * `names` renames the fields (give the transport the same names in its `traceContext` option).
 */
export function createTraceMixin(names: Partial<TraceFieldNames> = {}): Mixin {
  const capture = traceCapture({ ...TRACE_FIELD_NAMES, ...names });
  if (capture === undefined) return () => NONE;
  return () => {
    const pairs = capture();
    if (pairs === undefined) return NONE;
    const fields: Record<string, string> = {};
    for (const [name, value] of pairs) fields[name] = value;
    return fields;
  };
}

/** `pino({ mixin: traceMixin }, transport)`: the trace fields, by their default names. */
export const traceMixin: Mixin = (() => {
  let mixin: Mixin | undefined;
  // Made at first call: the app may register its OpenTelemetry SDK after importing this module.
  return () => (mixin ??= createTraceMixin())();
})();
