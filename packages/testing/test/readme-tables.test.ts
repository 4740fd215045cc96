/**
 * The README's options and limits tables against the code, so neither can drift: every option and every
 * limit has a row, every row names one, and the default shown is the default the receiver uses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECEIVER_LIMITS } from '../src/index.js';
import { RECEIVER_OPTION_DEFAULTS } from '../src/options.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The `| \`name\` | default | …` rows of the first table after `heading`. */
function tableRows(heading: string): Map<string, string> {
  const start = README.indexOf(`\n${heading}\n`);
  expect(start, `README heading ${heading}`).toBeGreaterThanOrEqual(0);
  const lines = README.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows = new Map<string, string>();
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    const m = /^\| `(\w+)` \| ([^|]+) \|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!.trim());
  }
  return rows;
}

/** The default cell's first `code` span as a value (`'raw'`, `0`, `true`, `undefined`); other text as is. */
function cellValue(cell: string): unknown {
  const code = /`([^`]+)`/.exec(cell)?.[1];
  if (code === undefined) return cell;
  if (/^'.*'$/.test(code)) return code.slice(1, -1);
  if (code === 'true' || code === 'false') return code === 'true';
  if (code === 'undefined') return undefined;
  if (/^\d+$/.test(code)) return Number(code);
  return code;
}

describe('README tables', () => {
  it('lists every receiver option with the default the receiver uses', () => {
    const rows = tableRows('## Options');
    expect([...rows.keys()].sort()).toEqual(Object.keys(RECEIVER_OPTION_DEFAULTS).sort());
    for (const [name, cell] of rows) {
      if (name === 'limits') expect(cell).toBe('see below');
      else expect(cellValue(cell), name).toEqual(RECEIVER_OPTION_DEFAULTS[name as keyof typeof RECEIVER_OPTION_DEFAULTS]);
    }
  });

  it('lists every limit with its DEFAULT_RECEIVER_LIMITS value', () => {
    const rows = tableRows('### Limits (`ReceiverLimits`, exported as `DEFAULT_RECEIVER_LIMITS`)');
    expect([...rows.keys()].sort()).toEqual(Object.keys(DEFAULT_RECEIVER_LIMITS).sort());
    for (const [name, cell] of rows) expect(cellValue(cell), name).toEqual(DEFAULT_RECEIVER_LIMITS[name as keyof typeof DEFAULT_RECEIVER_LIMITS]);
  });
});
