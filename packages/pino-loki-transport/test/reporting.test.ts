import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, receiver, run } from './helpers.js';

const SECRET = 'pa55-S3cret-xyz';
const SECRET_B64 = Buffer.from(`me:${SECRET}`).toString('base64');

/** Runs the report fixture: a pino app with our target and no lokiError listener. */
function app(url: string, options: Record<string, unknown>, env: Record<string, string> = {}) {
  return run(fixture('report.mjs'), {
    env: { LOKI_URL: url, OPTIONS: JSON.stringify(options), ...env },
    timeoutMillis: 25_000,
  });
}

/** Lines of stderr that are ours (one per reported error). */
const reported = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => l.includes('LokiWarning') || l.includes('pino-loki-transport'));

let hung: { server: Server; sockets: Set<Socket> } | undefined;
afterEach(async () => {
  if (hung === undefined) return;
  for (const s of hung.sockets) s.destroy();
  await new Promise((resolve) => hung!.server.close(resolve));
  hung = undefined;
});

/** A TCP server that accepts and never answers: a hung Loki. */
async function hungLoki(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hung = { server, sockets };
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('pino path: failures reach stderr by default', () => {
  it("the README's example against a Loki with auth on (401 no org id): one line per error code, no credentials", async () => {
    const r = await receiver({ authEnabled: true });
    const result = await app(r.url, {
      labels: { app: 'checkout' },
      batchMaxEntries: 1,
      basicAuth: { username: 'me', password: SECRET },
    });
    expect(result.code).toBe(0);
    const lines = reported(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /\[ERR_LOKI_REJECTED\] LokiWarning: Loki rejected a 1-entry batch \(HTTP 401 .*\): no org id/,
    );
    expect(result.stderr).not.toContain(SECRET);
    expect(result.stderr).not.toContain(SECRET_B64);
    expect(result.stdout).toBe('');
  });

  it('printErrors: true prints every error, synchronously (a script that ends by itself)', async () => {
    const r = await receiver({ authEnabled: true });
    const result = await app(r.url, { batchMaxEntries: 1, printErrors: true, bearerToken: SECRET });
    expect(result.code).toBe(0);
    const lines = reported(result.stderr).filter((l) => l.includes('ERR_LOKI_REJECTED'));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^pino-loki-transport: ERR_LOKI_REJECTED: Loki rejected a 1-entry batch .*no org id$/);
    expect(result.stderr).not.toContain(SECRET);
  });

  it("printErrors: false (or pino-loki's silenceErrors: true) prints nothing", async () => {
    const r = await receiver({ authEnabled: true });
    for (const options of [{ printErrors: false }, { silenceErrors: true }]) {
      const result = await app(r.url, options);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    }
  });

  it('a typo\'d option is reported once at start-up, with a "did you mean"; the rest still works', async () => {
    const r = await receiver();
    const result = await app(r.url, { tenantID: 'acme', hots: 'x', labels: { app: 'typo' } });
    expect(result.code).toBe(0);
    const lines = reported(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      '[ERR_LOKI_INVALID_OPTIONS] LokiWarning: unknown options ignored: tenantID (did you mean tenantId?), hots (did you mean host?)',
    );
    expect(r.entries({ app: 'typo' })).toHaveLength(3);
  });

  it("pino-loki's option names are translated (timeout, batching, structuredMetaKey, convertArrays), nothing reported", async () => {
    const r = await receiver();
    const result = await app(r.url, {
      timeout: 5000,
      batching: false,
      structuredMetaKey: 'meta',
      convertArrays: true,
      labels: { app: 'migrated' },
    });
    expect(result.code).toBe(0);
    expect(reported(result.stderr)).toEqual([]);
    const entries = r.entries({ app: 'migrated' });
    expect(entries).toHaveLength(3);
    // structuredMetaKey became metadataKey: the object went to structured metadata.
    expect(entries[0]!.metadata).toMatchObject({ k: 'v' });
    // batching: false became batchIntervalMillis 0: each line left on its own, at once.
    expect(r.requests.length).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [{ host: 'ftp://loki.example' }, 'host: Loki URL must be http: or https:, got ftp:'],
    [{ basicAuth: `me:${SECRET}` }, 'basicAuth must be { username: string, password: string }, got a string'],
    [{ tenantId: { id: 'acme' } }, 'tenantId must be a string, got an object'],
    [{ offlineBuffer: 'false' }, 'offlineBuffer must be true or false, got a string ("false")'],
    [{ lineFormat: 'xml' }, "lineFormat must be one of 'json', 'message', got a string (\"xml\")"],
    [{ tenantId: 'acme\r\nX-Evil: 1' }, 'tenantId must not contain CR, LF or other control characters'],
  ])(
    'unusable options (case %#) do not crash the app: a clear message on stderr, nothing delivered',
    async (options, message) => {
      const r = await receiver();
      const result = await app(r.url, { ...options, labels: { app: 'bad' } });
      expect(result.code).toBe(0);
      const lines = reported(result.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        `[ERR_LOKI_INVALID_OPTIONS] LokiWarning: options unusable, nothing is sent to Loki: ${message}`,
      );
      expect(result.stderr).not.toContain(SECRET);
      expect(r.entries()).toHaveLength(0);
    },
  );
});

describe('pino path: the exit report reaches stderr', () => {
  it.each([
    ['Loki down (connection refused)', 'down'],
    ['Loki hung (accepts, never answers)', 'hung'],
    ['DNS failure', 'dns'],
    ['TLS failure (https to a plain-http port)', 'tls'],
  ])('%s: 1000 lines then process.exit(): stderr says they were not delivered', async (_name, kind) => {
    let url: string;
    if (kind === 'down') {
      const r = await receiver();
      url = r.url;
      await r.close();
    } else if (kind === 'hung') url = await hungLoki();
    else if (kind === 'dns') url = 'http://loki.invalid:3100';
    else url = (await receiver()).url.replace('http:', 'https:');
    const result = await app(
      url,
      { closeTimeoutMillis: 1000, requestTimeoutMillis: 500, basicAuth: { username: 'me', password: SECRET } },
      { COUNT: '1000', END: 'exit' },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/LokiWarning: .*1000 entries not delivered/);
    expect(result.stderr).not.toContain(SECRET);
    expect(result.stderr).not.toContain(SECRET_B64);
  });
});

describe('pino path: the exit report reaches stderr with printErrors: true too', () => {
  it('Loki down: every error is printed, the exit report among them', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const result = await app(
      url,
      { closeTimeoutMillis: 1000, printErrors: true, bearerToken: SECRET },
      { COUNT: '1000', END: 'exit' },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^pino-loki-transport: ERR_LOKI_UNAVAILABLE: /m);
    expect(result.stderr).toMatch(/^pino-loki-transport: ERR_LOKI_SHUTDOWN_TIMEOUT: .*1000 entries not delivered$/m);
    expect(result.stderr).not.toContain(SECRET);
  });
});

describe("pino-loki's names, translated", () => {
  it("each becomes our option (ours, when also given, wins); the caller's object is not changed", async () => {
    const { translatePinoLokiOptions } = await import('../src/pino-loki-options.js');
    const { PINO_LOKI_LEVEL_MAP } = await import('../src/pino-loki-options.js');
    // A pino-loki config also gets pino-loki's streams: the hostname label, its level names, `meta` as metadata.
    const pinoLokiDefaults = { hostnameLabel: true, levelMap: PINO_LOKI_LEVEL_MAP, metadataKey: 'meta' };
    const given = {
      host: 'http://loki:3100/',
      endpoint: '/loki/api/v1/push',
      batching: true,
      interval: 2,
      timeout: 3000,
      silenceErrors: true,
      structuredMetaKey: 'meta',
    };
    expect(translatePinoLokiOptions(given)).toEqual({
      ...pinoLokiDefaults,
      host: 'http://loki:3100/',
      url: 'http://loki:3100/loki/api/v1/push',
      batchIntervalMillis: 2000,
      requestTimeoutMillis: 3000,
      printErrors: false,
      metadataKey: 'meta',
    });
    expect(given).toHaveProperty('batching', true);
    expect(translatePinoLokiOptions({ batching: false, interval: 9 })).toEqual({
      ...pinoLokiDefaults,
      batchIntervalMillis: 0,
    });
    expect(translatePinoLokiOptions({ batching: { interval: 5, maxBufferSize: 100 } })).toEqual({
      ...pinoLokiDefaults,
      batchIntervalMillis: 5000,
      bufferMaxEntries: 100,
    });
    // maxBufferSize 0 is pino-loki's "unlimited": our bound stays.
    expect(translatePinoLokiOptions({ batching: { maxBufferSize: 0 } })).toEqual(pinoLokiDefaults);
    expect(
      translatePinoLokiOptions({ timeout: 1, requestTimeoutMillis: 2, structuredMetaKey: 'a', metadataKey: 'b' }),
    ).toEqual({ ...pinoLokiDefaults, requestTimeoutMillis: 2, metadataKey: 'b' });
    expect(
      translatePinoLokiOptions({ timeout: 1, structuredMetaKey: false, hostnameLabel: false, levelMap: { 40: 'W' } }),
    ).toEqual({
      requestTimeoutMillis: 1,
      hostnameLabel: false,
      levelMap: { ...PINO_LOKI_LEVEL_MAP, 40: 'W' },
    });
    // The README's advice for a config of shared names only: `batching: true` (pino-loki's default) keeps its streams.
    expect(translatePinoLokiOptions({ host: 'http://x', batching: true })).toEqual({
      host: 'http://x',
      ...pinoLokiDefaults,
    });
    // Our own names alone: nothing of pino-loki's defaults.
    expect(translatePinoLokiOptions({ host: 'http://x', convertArrays: true })).toEqual({
      host: 'http://x',
      convertArrays: true,
    });
  });
});
