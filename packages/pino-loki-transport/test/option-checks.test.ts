// Every option of the transport (its own, core's, pino-loki's names) is checked for type and range
// with a LokiOptionsError naming the option, the type given and what is expected. The same check
// runs in pino's worker (reported, see reporting.test.ts) and in the CLI (exit 2, see cli.test.ts).
import { LokiOptionsError } from '@loki-sdk/core';
import { describe, expect, it } from 'vitest';
import { checkTransportOptions, resolveTransportOptions, type PinoLokiOptions } from '../src/options.js';

const SECRET = 'p1n0-S3cret';

function refusal(options: Record<string, unknown>): LokiOptionsError {
  try {
    checkTransportOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(LokiOptionsError);
    return error as LokiOptionsError;
  }
  throw new Error(`no LokiOptionsError for ${JSON.stringify(options)}`);
}

describe('options: type and range checked, with a clear error', () => {
  it.each([
    // the transport's own
    ['lineFormat', 'xml', /^lineFormat must be one of 'json', 'message', got a string \("xml"\)$/],
    // A line format of core's list this transport does not make.
    ['lineFormat', 'text', /^lineFormat must be one of 'json', 'message', got a string \("text"\)$/],
    ['labelPrefix', 5, /^labelPrefix must be a string, got a number$/],
    ['propsToLabels', 'a,b', /^propsToLabels must be an array of field names, got a string$/],
    ['propsToLabels', ['a', 1], /^propsToLabels must be an array of field names, got an array$/],
    ['metadataKey', '', /^metadataKey must be a non-empty string, got a string$/],
    ['timeKey', 7, /^timeKey must be a non-empty string, got a number$/],
    ['messageKey', null, /^messageKey must be a non-empty string, got null$/],
    ['errorKey', {}, /^errorKey must be a non-empty string, got an object$/],
    ['levelMap', { warn: 1 }, /^levelMap must map level names or numbers to strings, got an object$/],
    ['replaceTimestamp', 'yes', /^replaceTimestamp must be true or false, got a string \("yes"\)$/],
    ['printErrors', 1, /^printErrors must be true or false, got a number \(1\)$/],
    ['statsIntervalMillis', -1, /^statsIntervalMillis must be a number >= 0, got a number \(-1\)$/],
    ['highWaterMarkEntries', '10', /^highWaterMarkEntries must be a number >= 1, got a string \("10"\)$/],
    [
      'statsIntervalMillis',
      1e10,
      /^statsIntervalMillis must be at most 2147483647 \(ms: a longer timer fires at once\), got a number \(10000000000\)$/,
    ],
    ['requestTimeoutMillis', 1e10, /^requestTimeoutMillis must be at most 2147483647 \(ms/],
    // core's, checked by core
    ['basicAuth', `me:${SECRET}`, /^basicAuth must be \{ username: string, password: string \}, got a string$/],
    ['bearerToken', `${SECRET}\n`, /^bearerToken must not contain CR, LF/],
    [
      'headers',
      `Authorization: Bearer ${SECRET}`,
      /^headers must be an object of header names to string values, got a string$/,
    ],
    ['labels', 'abc', /^labels must be an object of label names to values, got a string$/],
    ['encoding', 'brotli', /^encoding must be one of 'protobuf', 'json', 'json-gzip', got a string \("brotli"\)$/],
    ['batchMaxBytes', 10, /^batchMaxBytes must be a number >= 1024, got a number \(10\)$/],
    // pino-loki's names, under their own names
    ['interval', '5', /^interval must be a number >= 0, got a string \("5"\)$/],
    ['timeout', 'soon', /^timeout must be a number >= 1, got a string \("soon"\)$/],
    [
      'timeout',
      1e10,
      /^timeout must be at most 2147483647 \(ms: a longer timer fires at once\), got a number \(10000000000\)$/,
    ],
    [
      'interval',
      1e7,
      /^interval must be at most 2147483\.647 \(s: a longer timer fires at once\), got a number \(10000000\)$/,
    ],
    ['batching', { interval: 1e7 }, /^batching\.interval must be at most 2147483\.647 \(s/],
    ['batching', 'yes', /^batching must be true, false or \{ interval, maxBufferSize \}, got a string$/],
    ['batching', { interval: '5' }, /^batching\.interval must be a number >= 0, got a string \("5"\)$/],
    ['batching', { maxBufferSize: -1 }, /^batching\.maxBufferSize must be a number >= 0, got a number \(-1\)$/],
    ['silenceErrors', 'true', /^silenceErrors must be true or false, got a string \("true"\)$/],
    ['structuredMetaKey', 3, /^structuredMetaKey must be a non-empty string, got a number$/],
    ['endpoint', 42, /^endpoint must be a string, got a number$/],
  ])('%s: %j is refused, naming it', (name, value, expected) => {
    const error = refusal({ [name]: value });
    expect(error.message).toMatch(expected);
    expect(error.message).not.toContain(SECRET);
  });

  it("lineFormat: core's names, and 'metadata' (winston's earlier name) as 'message'", () => {
    const format = (lineFormat?: string) =>
      resolveTransportOptions({ lineFormat } as PinoLokiOptions, () => {}).settings.lineFormat;
    expect([format(), format('json'), format('message'), format('metadata')]).toEqual([
      'json',
      'json',
      'message',
      'message',
    ]);
  });

  it('options that are not an object are refused', () => {
    expect(refusal('host=x' as never).message).toBe('options must be an object, got a string');
  });

  it('good values of every kind pass', () => {
    expect(() =>
      checkTransportOptions({
        lineFormat: 'message',
        labelPrefix: '',
        propsToLabels: ['a.b'],
        metadataKey: 'meta',
        timeKey: 't',
        messageKey: 'm',
        errorKey: 'e',
        levelMap: { warn: 'warning' },
        replaceTimestamp: true,
        printErrors: false,
        statsIntervalMillis: 0,
        highWaterMarkEntries: 10,
        interval: 2,
        timeout: 1000,
        batching: { interval: 1, maxBufferSize: 100 },
        silenceErrors: true,
        structuredMetaKey: 'sm',
        endpoint: 'loki/api/v1/push',
      } as PinoLokiOptions),
    ).not.toThrow();
    expect(() => checkTransportOptions({ batching: false } as PinoLokiOptions)).not.toThrow();
  });
});
