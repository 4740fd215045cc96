// The README's options table against the code: every option the transport takes, none it does not,
// with the defaults core and the transport apply.
import { readFileSync } from 'node:fs';
import { DEFAULTS } from '@loki-sdk/core';
import { defaultMismatches, optionRows, readmeSection } from '@loki-sdk/testing';
import { describe, expect, it } from 'vitest';
import { TRANSPORT_DEFAULTS } from '../src/defaults.js';
import { unknownOptions, type PinoLokiOptions } from '../src/options.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// Every option of the type, so that a new one fails to compile here until it is listed (and documented).
const OPTIONS: Record<keyof PinoLokiOptions, true> = {
  host: true,
  url: true,
  tenantId: true,
  basicAuth: true,
  bearerToken: true,
  headers: true,
  tls: true,
  proxy: true,
  labels: true,
  levelLabel: true,
  metadataMode: true,
  protocol: true,
  encoding: true,
  batchMaxEntries: true,
  batchMaxBytes: true,
  batchIntervalMillis: true,
  maxLineBytes: true,
  oversizedLine: true,
  requestTimeoutMillis: true,
  maxRequestsInFlight: true,
  retryMaxAttempts: true,
  retryInitialDelayMillis: true,
  retryMaxDelayMillis: true,
  offlineBuffer: true,
  bufferMaxEntries: true,
  bufferMaxBytes: true,
  offlineBufferMaxEntries: true,
  flushTimeoutMillis: true,
  traceContext: true,
  labelMaxValues: true,
  maxStreams: true,
  cardinalityWindowMillis: true,
  closeTimeoutMillis: true,
  diskBuffer: true,
  lineFormat: true,
  labelPrefix: true,
  propsToLabels: true,
  metadataKey: true,
  timeKey: true,
  messageKey: true,
  errorKey: true,
  levelMap: true,
  replaceTimestamp: true,
  hostnameLabel: true,
  convertArrays: true,
  logFormat: true,
  printErrors: true,
  statsIntervalMillis: true,
  highWaterMarkEntries: true,
};

describe('pino-loki-transport README', () => {
  it('the options table lists exactly the options the transport takes, with their defaults', () => {
    const rows = optionRows(readmeSection(readme, 'Options'));
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(OPTIONS).sort());
    // Each is known to the transport's own check (no unknown-option report for it).
    for (const name of Object.keys(OPTIONS))
      expect([name, unknownOptions({ [name]: undefined })]).toEqual([name, undefined]);
    expect(defaultMismatches(rows, { ...DEFAULTS, ...TRANSPORT_DEFAULTS })).toEqual([]);
  });

  it('states the error-reporting default and the shared entry rules', () => {
    const options = readmeSection(readme, 'Options');
    expect(options).toMatch(/Unset: one line per error code/);
    expect(options).toMatch(/did you mean/);
    expect(readme).toMatch(/\[A-Za-z_\]\[A-Za-z0-9_\]\*/);
    expect(readme).toContain('invalidTimestamps');
    expect(readme).toMatch(/exactly `label_`/);
  });
});
