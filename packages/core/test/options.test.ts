import { describe, expect, it } from 'vitest';
import { createLokiClient, LokiOptionsError, type LokiClientOptions } from '../src/index.js';
import { checkSchemaOptions, lineFormatOf, lineFormatSpec, suggestName } from '../src/adapter-entry.js';
import { LokiSDK } from '../src/sdk-entry.js';
import type { LokiError } from '../src/errors.js';
import { client, receiver, until } from './helpers.js';

const SECRET = 's3cr3t-Pa55';

/** The LokiOptionsError createLokiClient throws for these options (fails the test when none). */
function optionsError(options: Record<string, unknown>): LokiOptionsError {
  try {
    const c = createLokiClient({ exitHook: false, onError: () => {}, ...options });
    void c.close();
  } catch (error) {
    expect(error).toBeInstanceOf(LokiOptionsError);
    return error as LokiOptionsError;
  }
  throw new Error(`no LokiOptionsError for ${Object.keys(options).join(', ')}`);
}

describe('options: checked once, at construction, with a clear error', () => {
  it.each([
    ['basicAuth', `user:${SECRET}`, /^basicAuth must be \{ username: string, password: string \}, got a string$/],
    [
      'basicAuth',
      { user: 'me', pass: SECRET },
      /^basicAuth must be \{ username: string, password: string \}, got an object with username: undefined/,
    ],
    ['tenantId', { id: 'acme' }, /^tenantId must be a string, got an object$/],
    ['tenantId', 42, /^tenantId must be a string, got a number$/],
    ['bearerToken', 12345, /^bearerToken must be a string, got a number$/],
    ['offlineBuffer', 'false', /^offlineBuffer must be true or false, got a string \("false"\)$/],
    ['exitHook', 1, /^exitHook must be true or false, got a number \(1\)$/],
    ['labels', 'abc', /^labels must be an object of label names to values, got a string$/],
    ['labels', ['a'], /^labels must be an object of label names to values, got an array$/],
    [
      'headers',
      `Authorization: Bearer ${SECRET}`,
      /^headers must be an object of header names to string values, got a string$/,
    ],
    ['headers', { 'x-n': 5 }, /^headers\["x-n"\] must be a string, got a number$/],
    ['tls', 'insecure', /^tls must be an object .*, got a string$/],
    ['tls', { rejectUnauthorized: 'no' }, /^tls\.rejectUnauthorized must be true or false, got a string \("no"\)$/],
    ['tls', { ca: 5 }, /^tls\.ca must be PEM text \(a string or a Buffer\), got a number$/],
    ['levelLabel', true, /^levelLabel must be a label name or false, got a boolean \(true\)$/],
    ['encoding', 'brotli', /^encoding must be one of 'protobuf', 'json', 'json-gzip', got a string \("brotli"\)$/],
    ['metadataMode', 'xml', /^metadataMode must be one of 'structured', 'line', got a string \("xml"\)$/],
    ['batchMaxEntries', '100', /^batchMaxEntries must be a number >= 1, got a string \("100"\)$/],
    ['batchMaxEntries', 0, /^batchMaxEntries must be a number >= 1, got a number \(0\)$/],
    ['requestTimeoutMillis', Number.NaN, /^requestTimeoutMillis must be a number >= 1, got a number \(NaN\)$/],
    ['diskBuffer', '/tmp/x', /^diskBuffer must be \{ directory: string.*\}, got a string/],
    ['onError', 'console', /^onError must be a function, got a string$/],
    ['host', 3100, /^host must be an http:\/\/ or https:\/\/ URL string, got a number$/],
    ['url', 'ftp://x', /^url: Loki URL must be http: or https:, got ftp:$/],
  ])('%s: %j is refused, naming the option, the type given and what is expected', (name, value, expected) => {
    const error = optionsError({ [name]: value });
    expect(error.code).toBe('ERR_LOKI_INVALID_OPTIONS');
    expect(error.message).toMatch(expected);
    expect(error.message).not.toContain(SECRET);
  });

  it.each([
    ['tenantId', { tenantId: 'acme\r\nX-Evil: 1' }, /^tenantId must not contain CR, LF/],
    ['bearerToken', { bearerToken: `${SECRET}\n` }, /^bearerToken must not contain CR, LF/],
    [
      'a header value',
      { headers: { Authorization: `Bearer ${SECRET}\r\n` } },
      /^headers\["Authorization"\] must not contain CR, LF/,
    ],
    [
      'a header name',
      { headers: { 'x-a\r\nb': 'v' } },
      /^headers: header name "x-a {2}b" is not a valid HTTP header name$/,
    ],
  ])(
    'CR or LF in %s is refused at construction (it would fail every push, retried forever)',
    (_what, options, expected) => {
      const error = optionsError(options);
      expect(error.message).toMatch(expected);
      expect(error.message).not.toContain(SECRET);
    },
  );

  // Node fires a timer longer than 2^31-1 ms at once (with a TimeoutOverflowWarning): a 1e10 ms
  // request timeout would time every request out, a 1e10 ms backoff would retry in a busy loop.
  it.each([
    ['requestTimeoutMillis', 1e10],
    ['batchIntervalMillis', 2 ** 31],
    ['retryInitialDelayMillis', 1e10],
    ['retryMaxDelayMillis', 1e12],
    ['flushTimeoutMillis', 3e9],
    ['closeTimeoutMillis', 3e9],
  ])('%s: %d (past what a timer holds) is refused', (name, value) => {
    expect(optionsError({ [name]: value }).message).toBe(
      `${name} must be at most 2147483647 (ms: a longer timer fires at once), got a number (${value})`,
    );
  });

  it('diskBuffer.syncIntervalMillis past what a timer holds is refused', () => {
    expect(optionsError({ diskBuffer: { directory: '/tmp/x', syncIntervalMillis: 1e10 } }).message).toBe(
      'diskBuffer.syncIntervalMillis must be at most 2147483647 (ms: a longer timer fires at once), got a number (10000000000)',
    );
  });

  it('valid options of every kind still pass', () => {
    const c = createLokiClient({
      host: 'http://localhost:3100',
      tenantId: 'acme',
      basicAuth: { username: 'u', password: 'p' },
      headers: { 'x-team': 'core', 'x-unset': undefined as unknown as string },
      tls: { ca: Buffer.from('x'), rejectUnauthorized: true },
      labels: { app: 'a', n: 1 },
      levelLabel: false,
      encoding: 'json',
      offlineBuffer: false,
      batchIntervalMillis: 0,
      diskBuffer: undefined,
      exitHook: false,
      onError: () => {},
    });
    void c.close();
  });
});

describe('options: unknown names are reported once at start-up, with a "did you mean"', () => {
  it('suggestName finds the option a typo meant (case too), and nothing for a name far from all', () => {
    const names = ['host', 'url', 'tenantId', 'tls', 'batchIntervalMillis'];
    expect(suggestName('tenantID', names)).toBe('tenantId');
    expect(suggestName('hots', names)).toBe('host');
    expect(suggestName('batchIntervalMilis', names)).toBe('batchIntervalMillis');
    expect(suggestName('httpAgent', names)).toBeUndefined();
    expect(suggestName('tl', names)).toBe('tls');
  });

  it('createLokiClient reports a misspelt option through onError (and still delivers)', async () => {
    const r = await receiver();
    const { client: c, errors } = client(r, { tenantID: 'acme', hots: 'x' } as LokiClientOptions);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'ERR_LOKI_INVALID_OPTIONS',
        'unknown options ignored: tenantID (did you mean tenantId?), hots (did you mean host?)',
      ],
    ]);
    c.push({ message: 'still sent' });
    await c.flush();
    expect(r.entries().map((e) => e.line)).toEqual(['still sent']);
  });

  it('the default error path prints it once as a process warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const c = createLokiClient({ exitHook: false, tenantID: 'x' } as LokiClientOptions);
      void c.close();
      await until(() => warnings.length > 0);
      expect(warnings[0]!.name).toBe('LokiWarning');
      expect(warnings[0]!.message).toContain('tenantID (did you mean tenantId?)');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('credentials given under a misspelt name never reach the message', () => {
    const errors: LokiError[] = [];
    const c = createLokiClient({
      exitHook: false,
      onError: (e) => errors.push(e),
      bearertoken: SECRET,
      basicauth: { username: 'u', password: SECRET },
    } as LokiClientOptions);
    void c.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe(
      'unknown options ignored: bearertoken (did you mean bearerToken?), basicauth (did you mean basicAuth?)',
    );
  });
});

describe('SDK options: the same checks and the same report', () => {
  function sdkErrors(options: Record<string, unknown>): { sdk: LokiSDK; errors: LokiError[] } {
    const errors: LokiError[] = [];
    const sdk = new LokiSDK().init({
      appName: 'a',
      printToConsole: false,
      exitHook: false,
      onError: (e: LokiError) => errors.push(e),
      ...options,
    });
    return { sdk, errors };
  }

  it.each([
    ['endpoints', 'http://localhost:3100', /^endpoints must be \{ loki: string \} \(the push URL\), got a string$/],
    ['useSendBeacon', 'false', /^useSendBeacon must be true or false, got a string \("false"\)$/],
    ['enableOfflineBuffer', 0, /^enableOfflineBuffer must be true or false, got a number \(0\)$/],
    ['bufferSize', '100', /^bufferSize must be a number >= 1, got a string \("100"\)$/],
    ['maxRetries', -1, /^maxRetries must be a number >= 1, got a number \(-1\)$/],
    [
      'flushInterval',
      1e7,
      /^flushInterval must be at most 2147483\.647 \(s: a longer timer fires at once\), got a number \(10000000\)$/,
    ],
    ['printToConsole', 'yes', /^printToConsole must be true or false, got a string \("yes"\)$/],
    ['basicAuth', `me:${SECRET}`, /^basicAuth must be \{ username: string, password: string \}, got a string$/],
  ])('%s: %j is refused with a LokiOptionsError naming it', (name, value, expected) => {
    let thrown: unknown;
    try {
      void sdkErrors({ [name]: value }).sdk.close();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LokiOptionsError);
    expect((thrown as Error).message).toMatch(expected);
    expect((thrown as Error).message).not.toContain(SECRET);
  });

  it('a misspelt or a core name the SDK replaces is reported once, with what to use', async () => {
    const { sdk, errors } = sdkErrors({ endpoint: 'http://x', url: 'http://y', tenantID: 'acme' });
    await sdk.close();
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'ERR_LOKI_INVALID_OPTIONS',
        'unknown options ignored: endpoint (did you mean endpoints?), url (use endpoints.loki), tenantID (did you mean tenantId?)',
      ],
    ]);
  });
});

describe('line formats: one list of names for every transport, earlier names accepted', () => {
  const schema = { lineFormat: lineFormatSpec(['json', 'message'], { group: 'transport', doc: 'd' }) };
  const check = (lineFormat: unknown) => () => checkSchemaOptions(schema, { lineFormat });

  it("a transport's spec: the first offered is the default; an earlier name of an offered one passes", () => {
    expect(schema.lineFormat.default).toBe('json');
    for (const value of ['json', 'message', 'metadata', undefined]) expect(check(value)).not.toThrow();
  });

  it('a name it does not offer, or none of the list, is refused naming the offered ones', () => {
    for (const value of ['text', 'xml', 5]) {
      expect(check(value)).toThrow(LokiOptionsError);
      expect(check(value)).toThrow(/^lineFormat must be one of 'json', 'message', got /);
    }
  });

  it('lineFormatOf: a name as its format, an earlier name resolved, anything else undefined', () => {
    expect(['json', 'text', 'message', 'metadata', 'xml', 'toString', 1].map((v) => lineFormatOf(v))).toEqual([
      'json',
      'text',
      'message',
      'message',
      undefined,
      undefined,
      undefined,
    ]);
  });
});
