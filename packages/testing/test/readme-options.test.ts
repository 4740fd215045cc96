// The README's options and limits tables against the code: every option and limit, with its default.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createLokiReceiver,
  DEFAULT_RECEIVER_LIMITS,
  defaultMismatches,
  optionRows,
  readmeSection,
} from '../src/index.js';
import { RECEIVER_OPTION_DEFAULTS } from '../src/options.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// The receiver's own defaults (a `Required<LokiReceiverOptions>`: a new option needs one); `limits` has its own table.
const DEFAULTS: Record<string, unknown> = { ...RECEIVER_OPTION_DEFAULTS, limits: undefined };

describe('@loki-sdk/testing README', () => {
  it('the options table lists every receiver option with its default', () => {
    const rows = optionRows(readmeSection(readme, 'Options'));
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(DEFAULTS).sort());
    expect(defaultMismatches(rows, DEFAULTS)).toEqual([]);
  });

  it('a receiver made without options listens where the table says', async () => {
    const r = await createLokiReceiver();
    try {
      expect(new URL(r.url).hostname).toBe(DEFAULTS.host);
      expect(Number(new URL(r.url).port)).toBeGreaterThan(0); // port 0: a free one was picked
    } finally {
      await r.close();
    }
  });

  it('the limits table lists every limit with its default', () => {
    const rows = optionRows(
      readmeSection(readme, 'Limits (`ReceiverLimits`, exported as `DEFAULT_RECEIVER_LIMITS`)'),
      /^limit$/i,
    );
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(DEFAULT_RECEIVER_LIMITS).sort());
    expect(defaultMismatches(rows, DEFAULT_RECEIVER_LIMITS as unknown as Record<string, unknown>)).toEqual([]);
  });
});
