// The README's options tables against the code: every option named, none that does not exist, and the
// defaults the code applies. The rules it documents (FlushResult, times, metadata names) are named there.
import { readFileSync, writeFileSync } from 'node:fs';
import { defaultMismatches, optionRows, readmeSection } from '@loki-sdk/testing';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_OPTION_NAMES,
  CLIENT_OPTION_SCHEMA,
  DEFAULTS,
  optionsTable,
  readmeTableBlock,
  withReadmeTable,
  type FlushResult,
} from '../src/adapter-entry.js';
import { SDK_DEFAULTS } from '../src/sdk-entry.js';
import { DISK_BUFFER_DEFAULTS } from '../src/disk-buffer.js';

const README = new URL('../README.md', import.meta.url);
// The generated tables (`pnpm docs:options` writes them: UPDATE_OPTIONS_TABLES=1 runs this file as the writer).
const TABLES: Record<string, string> = { options: optionsTable(CLIENT_OPTION_SCHEMA) };
if (process.env.UPDATE_OPTIONS_TABLES === '1') {
  let text = readFileSync(README, 'utf8');
  for (const [id, table] of Object.entries(TABLES)) text = withReadmeTable(text, id, table);
  writeFileSync(README, text);
}
const readme = readFileSync(README, 'utf8');

describe('core README', () => {
  it("the options tables are the schema's, as `pnpm docs:options` writes them", () => {
    for (const [id, table] of Object.entries(TABLES)) expect([id, readmeTableBlock(readme, id)]).toEqual([id, table]);
  });

  it('the client options table lists exactly the options createLokiClient knows, with their defaults', () => {
    const rows = optionRows(readmeSection(readme, 'Options'));
    expect(rows.map((r) => r.name).sort()).toEqual([...CLIENT_OPTION_NAMES].sort());
    expect(defaultMismatches(rows, DEFAULTS)).toEqual([]);
  });

  it('the disk buffer table lists every diskBuffer setting with its default', () => {
    const rows = optionRows(readmeSection(readme, 'Disk buffer (crash safety)'));
    expect(rows.map((r) => r.name).sort()).toEqual(['directory', ...Object.keys(DISK_BUFFER_DEFAULTS)].sort());
    expect(defaultMismatches(rows, DISK_BUFFER_DEFAULTS)).toEqual([]);
  });

  it("the direct API's table lists the SDK's own options with their defaults", () => {
    const rows = optionRows(readmeSection(readme, 'The direct API'));
    const own = rows.map((r) => r.name).filter((n) => !n.startsWith('any '));
    const sdkNames = Object.keys(SDK_DEFAULTS).map((n) => (n === 'endpoint' ? 'endpoints.loki' : n));
    expect(own.sort()).toEqual(['appName', ...sdkNames].sort());
    expect(defaultMismatches(rows, { ...SDK_DEFAULTS, 'endpoints.loki': SDK_DEFAULTS.endpoint })).toEqual([]);
  });

  it('documents every FlushResult field, and that the counts add up to stats()', () => {
    const section = readmeSection(readme, 'Flush results');
    const fields: Record<keyof FlushResult, true> = {
      ok: true,
      acknowledged: true,
      dropped: true,
      droppedByReason: true,
      partiallyRejected: true,
      pending: true,
      timedOut: true,
    };
    for (const field of Object.keys(fields)) expect([field, section.includes(`\`${field}\``)]).toEqual([field, true]);
    expect(section).toContain('stats()');
  });

  it('states the time rule, the metadata-name rule and the label_ rule', () => {
    expect(readmeSection(readme, 'Timestamps')).toContain('`invalidTimestamps`');
    const names = readmeSection(readme, 'Structured-metadata names');
    expect(names).toContain('[A-Za-z_][A-Za-z0-9_]*');
    expect(names).toContain('`metadataNamesDropped`');
    expect(readmeSection(readme, 'Records')).toContain('a field named exactly `label_` is metadata named `label_`');
  });

  it('the root README states the shared rules and the flush answer', () => {
    const root = readmeSection(
      readFileSync(new URL('../../../README.md', import.meta.url), 'utf8'),
      'The rules every entry point shares',
    );
    for (const text of [
      'invalidTimestamps',
      '[A-Za-z_][A-Za-z0-9_]*',
      'metadataNamesDropped',
      'exactly `label_`',
      'offlineBufferMaxEntries',
      '/loki/api/v1/push',
      'droppedByReason',
      'did you mean',
      'envValue()',
    ]) {
      expect([text, root.includes(text)]).toEqual([text, true]);
    }
  });
});
