import { optionChecks } from './option-checks.js';
import type { OptionSpec } from './option-schema.js';

/**
 * THE names of the line shapes a transport makes (its `lineFormat` option), one list for every transport:
 * - `json`: the line is the record as a JSON object (its message and fields);
 * - `text`: the message, a space, then the fields as JSON (`paid {"orderId":42}`, winston-loki's shape);
 * - `message`: the message alone; the fields are structured metadata.
 * A transport offers the shapes it makes (pino: `json`, `message`; winston: all three).
 */
export const LINE_FORMATS = ['json', 'text', 'message'] as const;
export type LineFormat = (typeof LINE_FORMATS)[number];

/** Earlier names of a line format, accepted as they were: winston's `metadata` is `message`. */
export const LINE_FORMAT_ALIASES = Object.freeze({ metadata: 'message' } as const satisfies Record<string, LineFormat>);

/** What a `lineFormat` option may be given: a format's name or an earlier name of it. */
export type LineFormatName = LineFormat | keyof typeof LINE_FORMAT_ALIASES;

/**
 * A format's name, or an earlier one, as the format; undefined for anything else. For a value lineFormatSpec's
 * check passed, one of the offered formats (the type parameter).
 */
export function lineFormatOf<F extends LineFormat = LineFormat>(value: unknown): F | undefined {
  if (typeof value !== 'string') return undefined;
  if ((LINE_FORMATS as readonly string[]).includes(value)) return value as F;
  const known = Object.prototype.hasOwnProperty.call(LINE_FORMAT_ALIASES, value);
  return known ? (LINE_FORMAT_ALIASES[value as keyof typeof LINE_FORMAT_ALIASES] as F) : undefined;
}

/**
 * The `lineFormat` spec of a transport's option schema: the formats it offers (the first is the default), each
 * also by its earlier names; the error names the offered ones.
 */
export function lineFormatSpec<F extends LineFormat>(
  offered: readonly [F, ...F[]],
  spec: Pick<OptionSpec, 'group' | 'doc' | 'flag'>,
): OptionSpec & { default: F; values: readonly F[] } {
  return {
    ...spec,
    type: 'string',
    default: offered[0],
    values: offered,
    check: (name, value) => {
      const given = lineFormatOf(value);
      if (given === undefined || !(offered as readonly string[]).includes(given))
        optionChecks.oneOf(...offered)(name, value);
    },
  };
}
