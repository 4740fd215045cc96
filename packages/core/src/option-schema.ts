import { optionChecks, type Check } from './option-checks.js';

/**
 * The one description of every option: its type, default, bounds, one-line doc, CLI flag and the
 * names other libraries give it. Validation, the list of names, "did you mean", the README tables,
 * the pino CLI's flags and help, and the compatibility names are all read from here. A transport
 * declares its own options in the same shape (`OptionSchema`) and adds them to core's.
 */
export type OptionGroup =
  'connection' | 'content' | 'batch' | 'request' | 'retry' | 'buffer' | 'shutdown' | 'errors' | 'transport';

/** A name another library (or the direct SDK) gives this option, and how its value becomes ours. */
export interface OptionAlias {
  dialect: 'sdk' | 'pino-loki' | 'winston-loki';
  name: string;
  /** `same` (default): the value as given; `seconds`: seconds to ms; `when`: `set` when the value is `when`. */
  convert?: 'same' | 'seconds' | { when: unknown; set: unknown };
  /** Only a hint in the unknown-name report (the dialect translates it itself, or the name is not accepted). */
  hintOnly?: boolean;
}

export interface OptionSpec {
  group: OptionGroup;
  type: 'string' | 'number' | 'boolean' | 'object' | 'list' | 'function';
  /** The value used when the option is unset (absent: none, or derived, see `defaultText`). */
  default?: string | number | boolean;
  /** The README's default cell when `default` alone does not say it. */
  defaultText?: string;
  /** Lowest accepted number. */
  min?: number;
  /** `ms` and `s` are also held to what a Node timer holds. */
  unit?: 'ms' | 's' | 'bytes' | 'entries';
  /** The accepted strings. */
  values?: readonly string[];
  /** A check of its own where type, bounds and values do not say it all. */
  check?: Check;
  /** One line, the README's. */
  doc: string;
  /** The pino CLI's flag: its help text (the default is added from here), or false for no flag. */
  flag?: { help: string; short?: string; kind?: 'json' | 'list' | 'string' } | false;
  aliases?: readonly OptionAlias[];
}

export type OptionSchema = Readonly<Record<string, OptionSpec>>;

/** The check of an option: its own, or the one its type, bounds and values give. */
export function checkOf(spec: OptionSpec): Check {
  if (spec.check !== undefined) return spec.check;
  const { string, boolean, numberAtLeast, millis, seconds, oneOf, fn, list } = optionChecks;
  if (spec.values !== undefined) return oneOf(...spec.values);
  switch (spec.type) {
    case 'number':
      if (spec.unit === 'ms') return millis(spec.min ?? 0);
      if (spec.unit === 's') return seconds(spec.min ?? 0);
      return numberAtLeast(spec.min ?? 0);
    case 'boolean':
      return boolean;
    case 'function':
      return fn;
    case 'list':
      return list;
    case 'object':
      return optionChecks.object;
    default:
      return spec.min !== undefined && spec.min > 0 ? optionChecks.nonEmptyString : string;
  }
}

type Defaults<S extends OptionSchema> = {
  -readonly [K in keyof S as S[K] extends { default: unknown } ? K : never]: S[K] extends { default: infer D }
    ? D
    : never;
};

/** The `default` of every option that has one. */
export function defaultsOf<S extends OptionSchema>(schema: S): Defaults<S> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) if (spec.default !== undefined) out[name] = spec.default;
  return out as Defaults<S>;
}

/** Checks every set option of `schema` in `options` (undefined means "not set" and always passes). */
export function checkSchemaOptions(schema: OptionSchema, options: Readonly<Record<string, unknown>>): void {
  for (const [name, spec] of Object.entries(schema)) {
    const value = options[name];
    if (value !== undefined) checkOf(spec)(name, value);
  }
}

type Dialect = OptionAlias['dialect'];

/** `[alias, our name, how]` for every name `dialect` gives an option of `schema`, in schema order. */
export function aliasesOf(
  schema: OptionSchema,
  dialect: Dialect,
): Array<{ alias: string; target: string; spec: OptionAlias }> {
  const out: Array<{ alias: string; target: string; spec: OptionAlias }> = [];
  for (const [target, option] of Object.entries(schema))
    for (const alias of option.aliases ?? [])
      if (alias.dialect === dialect) out.push({ alias: alias.name, target, spec: alias });
  return out;
}

/** For the unknown-name report: our names that `dialect` spells its own way, and what to write instead. */
export function replacedNameHints(schema: OptionSchema, dialect: Dialect): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { alias, target, spec } of aliasesOf(schema, dialect))
    out[target] = `use ${alias}${spec.convert === 'seconds' ? ', in seconds' : ''}`;
  return out;
}

/** The names of `dialect` that are translated (not only hinted at). */
export function aliasNames(schema: OptionSchema, dialect: Dialect): string[] {
  return [
    ...new Set(
      aliasesOf(schema, dialect)
        .filter((a) => a.spec.hintOnly !== true)
        .map((a) => a.alias),
    ),
  ];
}

/** A value of `dialect`'s name as ours, or undefined when it sets nothing (`batching: true`). */
function converted(spec: OptionAlias, value: unknown): unknown {
  const convert = spec.convert ?? 'same';
  if (convert === 'same') return value;
  if (convert === 'seconds') return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined;
  return value === convert.when ? convert.set : undefined;
}

/**
 * A copy of `options` with `dialect`'s names translated into ours and removed: a name set explicitly
 * in our spelling wins; among a dialect's names for one option, the first that sets it wins.
 */
export function translateAliases(
  schema: OptionSchema,
  dialect: Dialect,
  options: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...options };
  const aliases = aliasesOf(schema, dialect).filter((a) => a.spec.hintOnly !== true);
  for (const { alias } of aliases) delete out[alias];
  for (const { alias, target, spec } of aliases) {
    if (out[target] !== undefined || options[alias] === undefined) continue;
    const value = converted(spec, options[alias]);
    if (value !== undefined) out[target] = value;
  }
  return out;
}

/** The check of each translated name of `dialect`, so a wrong type is refused under the name the caller wrote. */
export function checkAliases(schema: OptionSchema, dialect: Dialect, options: Readonly<Record<string, unknown>>): void {
  const { seconds, boolean } = optionChecks;
  for (const { alias, target, spec } of aliasesOf(schema, dialect)) {
    const value = options[alias];
    if (value === undefined || spec.hintOnly === true) continue;
    const convert = spec.convert ?? 'same';
    const check =
      convert === 'seconds'
        ? seconds(0)
        : convert === 'same'
          ? checkOf(schema[target]!)
          : typeof convert.when === 'boolean'
            ? boolean
            : undefined;
    check?.(alias, value);
  }
}
