/**
 * Reads the options tables of a README, so that a package's test can hold them against the option
 * names and defaults in its code (a README table that drifts from the code is a wrong promise).
 */

export interface OptionRow {
  /** The option name as written in the first cell, without backticks or a trailing note (`host`, `endpoints.loki`). */
  name: string;
  /** The default cell, as written. */
  default: string;
  /** The whole row's text. */
  text: string;
}

/**
 * The text of the section under `heading` (a markdown heading line without its #s), up to the next heading of its
 * level or higher.
 */
export function readmeSection(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '').trim() === heading);
  if (start === -1) throw new Error(`README has no section "${heading}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const m = /^(#+) /.exec(lines[i]!);
    if (m !== null && m[1]!.length <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

/** Cells of a markdown table row (`| a | b |`), trimmed; a `\|` inside a cell stays in it. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/**
 * The rows of every table in `section` whose header's first cell is `header` (default "option", any
 * case): the option's name from the first cell's first backticked word, its default from the second cell.
 */
export function optionRows(section: string, header: RegExp = /^option$/i): OptionRow[] {
  const rows: OptionRow[] = [];
  let inOptions = false;
  for (const line of section.split('\n')) {
    if (!line.trim().startsWith('|')) {
      inOptions = false;
      continue;
    }
    const row = cells(line);
    if (header.test(row[0] ?? '')) {
      inOptions = true;
      continue;
    }
    if (!inOptions || /^:?-+:?$/.test(row[0] ?? '')) continue;
    const name = /`([^`]+)`/.exec(row[0] ?? '')?.[1];
    if (name !== undefined) rows.push({ name, default: row[1] ?? '', text: line });
  }
  return rows;
}

const MIB = 1024 * 1024;

/** The ways a README may write a default: `5000`, `'level'`, `true`, `1048576` or `1 MiB`. */
function writtenForms(value: unknown): string[] {
  if (typeof value === 'string') return [`'${value}'`, `\`${value}\``];
  if (typeof value === 'boolean') return [String(value)];
  if (typeof value === 'number')
    return value >= MIB && value % MIB === 0 ? [String(value), `${value / MIB} MiB`] : [String(value)];
  return [];
}

/**
 * Rows whose default cell does not show the value `defaults` gives that option (options missing from
 * `defaults`, or with no plain value, are not checked). Empty when the table agrees with the code.
 */
export function defaultMismatches(
  rows: readonly OptionRow[],
  defaults: Readonly<Record<string, unknown>>,
): Array<{ name: string; written: string; code: unknown }> {
  const out: Array<{ name: string; written: string; code: unknown }> = [];
  for (const row of rows) {
    if (!Object.prototype.hasOwnProperty.call(defaults, row.name)) continue;
    const forms = writtenForms(defaults[row.name]);
    if (forms.length > 0 && !forms.some((f) => row.default.includes(f)))
      out.push({ name: row.name, written: row.default, code: defaults[row.name] });
  }
  return out;
}
