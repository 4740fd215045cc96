import { isLabelField } from '@loki-sdk/core/adapter';
import type TransportStream from 'winston-transport';
import { LIFTED_LABELS, type LiftedLabels } from './to-loki-record.js';

type Format = NonNullable<TransportStream['format']>;
type Info = Record<string | symbol, unknown>;

/**
 * Wraps the `format` set on the transport so `label_*` fields and the `labels` object become stream
 * labels and stay out of the formatted line. winston-transport calls `format.transform` with a
 * shallow copy of info (`Object.assign({}, info)`), so removing keys here never touches the
 * object the other transports see. The labels ride along under a symbol key, which `json()` and
 * `printf` do not print and object spreads keep.
 */
export function labelLiftingFormat(format: Format): Format {
  const wrapped = {
    options: format.options,
    transform(info: Info, options?: unknown): Info | boolean {
      let lifted: LiftedLabels | undefined;
      for (const key of Object.keys(info)) {
        if (isLabelField(key)) {
          (lifted ??= { fields: [] }).fields.push([key, info[key]]);
          delete info[key];
        } else if (key === 'labels') {
          const value = info[key];
          if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
            (lifted ??= { fields: [] }).labels = value as Record<string, unknown>;
            delete info[key];
          }
        }
      }
      if (lifted !== undefined) info[LIFTED_LABELS] = lifted;
      return format.transform(info as never, options);
    },
  };
  return wrapped as unknown as Format;
}
