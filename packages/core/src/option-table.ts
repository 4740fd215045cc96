import type { OptionSchema, OptionSpec } from './option-schema.js';

const MIB = 1024 * 1024;

/** The README's default cell: `defaultText`, or the default written as code (`1048576` (1 MiB)). */
function defaultCell(spec: OptionSpec): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  const value = spec.default;
  if (value === undefined) return '—';
  if (typeof value === 'string') return `\`'${value}'\``;
  if (typeof value === 'number' && value >= MIB && value % MIB === 0) return `\`${value}\` (${value / MIB} MiB)`;
  return `\`${String(value)}\``;
}

/** A markdown options table of `names` (default: all) of `schema`, one row per option, from the schema alone. */
export function optionsTable(schema: OptionSchema, names: readonly string[] = Object.keys(schema)): string {
  const rows = names.map((name) => {
    const spec = schema[name];
    if (spec === undefined) throw new Error(`no option ${name} in the schema`);
    return `| \`${name}\` | ${defaultCell(spec)} | ${spec.doc} |`;
  });
  return ['| option | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

const blockPattern = (id: string): RegExp =>
  new RegExp(`(<!-- options-table:${id} -->\\n)([\\s\\S]*?)(\\n<!-- /options-table -->)`);

/** The generated table `id` as it stands in `markdown` (between its markers), or undefined. */
export function readmeTableBlock(markdown: string, id: string): string | undefined {
  return blockPattern(id).exec(markdown)?.[2];
}

/** `markdown` with the block `id` replaced by `table` (scripts/options-tables.mjs writes the READMEs with it). */
export function withReadmeTable(markdown: string, id: string, table: string): string {
  if (readmeTableBlock(markdown, id) === undefined) throw new Error(`README has no options-table:${id} block`);
  return markdown.replace(blockPattern(id), (_, open: string, __: string, close: string) => open + table + close);
}
