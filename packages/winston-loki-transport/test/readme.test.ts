// The README's options tables against the code: every option the transport takes is in them (or, for a
// winston-loki name it translates, in the migration table), none that does not exist, with core's defaults.
import { readFileSync } from 'node:fs';
import { DEFAULTS } from '@loki-sdk/core';
import { defaultMismatches, optionRows, readmeSection } from '@loki-sdk/testing';
import { describe, expect, it } from 'vitest';
import type { LokiTransportOptions } from '../src/index.js';
import { unknownTransportOptions } from '../src/transport-options.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// Every option of the type, so that a new one fails to compile here until it is placed (and documented).
const WHERE: Record<keyof LokiTransportOptions, 'options' | 'migration'> = {
  level: 'options',
  format: 'options',
  silent: 'options',
  handleExceptions: 'options',
  handleRejections: 'options',
  host: 'options',
  url: 'options',
  tenantId: 'options',
  basicAuth: 'options',
  bearerToken: 'options',
  headers: 'options',
  tls: 'options',
  proxy: 'options',
  labels: 'options',
  levelLabel: 'options',
  lineFormat: 'options',
  replaceTimestamp: 'options',
  useWinstonMetaAsLabels: 'options',
  ignoredMeta: 'options',
  maxLineBytes: 'options',
  oversizedLine: 'options',
  protocol: 'options',
  encoding: 'options',
  batchIntervalMillis: 'options',
  batchMaxEntries: 'options',
  batchMaxBytes: 'options',
  requestTimeoutMillis: 'options',
  maxRequestsInFlight: 'options',
  retryMaxAttempts: 'options',
  retryInitialDelayMillis: 'options',
  retryMaxDelayMillis: 'options',
  offlineBuffer: 'options',
  bufferMaxEntries: 'options',
  bufferMaxBytes: 'options',
  offlineBufferMaxEntries: 'options',
  flushTimeoutMillis: 'options',
  closeTimeoutMillis: 'options',
  diskBuffer: 'options',
  exitHook: 'options',
  traceContext: 'options',
  labelMaxValues: 'options',
  maxStreams: 'options',
  cardinalityWindowMillis: 'options',
  worker: 'options',
  onError: 'options',
  onConnectionError: 'options',
  interval: 'migration',
  json: 'migration',
  batching: 'migration',
  timeout: 'migration',
  clearOnError: 'migration',
  gracefulShutdown: 'migration',
};

describe('winston-loki-transport README', () => {
  it("the options tables list the options the transport takes, with core's defaults; winston-loki names are in the migration table", () => {
    const rows = optionRows(readmeSection(readme, 'Options'));
    const inTables = Object.entries(WHERE)
      .filter(([, where]) => where === 'options')
      .map(([name]) => name);
    expect(rows.map((r) => r.name).sort()).toEqual(inTables.sort());
    const migration = readmeSection(readme, 'Migrating from winston-loki');
    for (const [name, where] of Object.entries(WHERE)) {
      if (where === 'migration') expect([name, migration.includes(`\`${name}`)]).toEqual([name, true]);
      // Each is known to the transport's own check (no unknown-option report for it).
      expect([name, unknownTransportOptions({ [name]: undefined })]).toEqual([name, undefined]);
    }
    expect(defaultMismatches(rows, DEFAULTS)).toEqual([]);
  });

  it('states the shared entry rules', () => {
    expect(readme).toMatch(/\[A-Za-z_\]\[A-Za-z0-9_\]\*/);
    expect(readme).toContain('invalidTimestamps');
    expect(readme).toMatch(/exactly `label_`/);
  });
});
