import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { closedPort, createHostileServer, type HostileBehaviour, type HostileServer } from './hostile-server.js';

/**
 * Every way an app may print an object we hand it: `util.inspect` at depths 0 to 8 (and with
 * `showHidden`), `console.error`, `JSON.stringify` (its error text, should it throw). For tests that
 * prove no credential is ever printed: search the renderings with {@link findSecrets}.
 */
export function renderings(value: unknown, label = 'value'): Record<string, string> {
  const out: Record<string, string> = {};
  for (let depth = 0; depth <= 8; depth++) out[`${label} inspect depth ${depth}`] = inspect(value, { depth });
  out[`${label} inspect showHidden`] = inspect(value, { depth: 4, showHidden: true });
  out[`${label} inspect Infinity`] = inspect(value, { depth: Infinity });
  out[`${label} console.error`] = consoleErrorText(value);
  try {
    out[`${label} JSON.stringify`] = String(JSON.stringify(value));
  } catch (error) {
    out[`${label} JSON.stringify (threw)`] = String(error);
  }
  return out;
}

/** What `console.error(...values)` prints, captured from a Console on our own stream. */
export function consoleErrorText(...values: unknown[]): string {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  new Console({ stdout: sink, stderr: sink, colorMode: false }).error(...values);
  return text;
}

/**
 * The secrets to look for: each given string, and the base64 of each `user:password` pair (a basic
 * auth header). Returns `"<where>: <secret>"` for every rendering that shows one.
 */
export function findSecrets(
  outputs: Record<string, string>,
  secrets: readonly string[],
  basicAuthPairs: readonly string[] = [],
): string[] {
  const needles = [...secrets, ...basicAuthPairs.map((pair) => Buffer.from(pair).toString('base64'))];
  const found: string[] = [];
  for (const [where, text] of Object.entries(outputs)) {
    for (const needle of needles) if (text.includes(needle)) found.push(`${where}: ${needle}`);
  }
  return found;
}

/**
 * The credentials the secrets tests of every package configure (one list, so a package cannot
 * quietly test fewer). None may appear in any output of a run: {@link findTestSecrets}.
 */
export const TEST_SECRETS: readonly string[] = [
  'pw-S3CRET-basic',
  'tok-S3CRET-bearer',
  'pw-S3CRET-url',
  'hdr-S3CRET-header',
  'hdr-S3CRET-key',
  'hdr-S3CRET-auth',
  'pp-S3CRET-tls',
  'KEY-S3CRET-pem',
  'px-S3CRET-proxy',
];
/** The `user:password` pairs among them, found also as base64 (a basic-auth header). */
export const TEST_BASIC_AUTH_PAIRS: readonly string[] = [
  'alice:pw-S3CRET-basic',
  'urluser:pw-S3CRET-url',
  'proxyuser:px-S3CRET-proxy',
];

/** One way of giving credentials; `options` takes the `host:port` of the (failing) Loki. */
export interface SecretCase {
  name: string;
  options: (hostPort: string) => Record<string, unknown>;
  /**
   * Core (and so the SDK and pino, which hand options to core) refuses this form with a
   * LokiOptionsError; winston accepts it (winston-loki's spelling). The refusal must not show it either.
   */
  refusedByCore?: true;
}

/** Every way of giving credentials the secrets matrix covers. */
export const SECRET_CASES: readonly SecretCase[] = [
  {
    name: 'basic auth (object)',
    options: (h) => ({ host: `http://${h}`, basicAuth: { username: 'alice', password: 'pw-S3CRET-basic' } }),
  },
  {
    name: "basic auth ('user:pass' string)",
    options: (h) => ({ host: `http://${h}`, basicAuth: 'alice:pw-S3CRET-basic' }),
    refusedByCore: true,
  },
  { name: 'bearer token', options: (h) => ({ host: `http://${h}`, bearerToken: 'tok-S3CRET-bearer' }) },
  { name: 'user:pass@ in the URL', options: (h) => ({ url: `http://urluser:pw-S3CRET-url@${h}/loki/api/v1/push` }) },
  {
    name: 'an Authorization header',
    options: (h) => ({ host: `http://${h}`, headers: { Authorization: 'Bearer hdr-S3CRET-header', 'X-Other': 'ok' } }),
  },
  {
    name: 'credential headers of other names',
    options: (h) => ({
      host: `http://${h}`,
      headers: { 'X-Functions-Key': 'hdr-S3CRET-key', 'X-Custom-Auth': 'hdr-S3CRET-auth', 'X-Team': 'ok' },
    }),
  },
  // The failing Loki is its own proxy (the echo server tunnels CONNECT to itself; the refused port refuses both).
  {
    name: 'user:pass@ in the proxy URL',
    options: (h) => ({ host: `http://${h}`, proxy: `http://proxyuser:px-S3CRET-proxy@${h}` }),
  },
  {
    name: 'TLS key and passphrase',
    options: (h) => ({
      host: `http://${h}`,
      bearerToken: 'tok-S3CRET-bearer',
      tls: { key: 'KEY-S3CRET-pem', passphrase: 'pp-S3CRET-tls' },
    }),
  },
];

/** {@link findSecrets} for {@link TEST_SECRETS} and {@link TEST_BASIC_AUTH_PAIRS}. */
export function findTestSecrets(outputs: Record<string, string>): string[] {
  return findSecrets(outputs, TEST_SECRETS, TEST_BASIC_AUTH_PAIRS);
}

/** The failing Lokis of a secrets run, as `[label, host:port]`. */
export interface FailingLokis {
  /**
   * `['500', …]`: answers 500 with our request headers echoed in the body (a hostile proxy);
   * `['refused', …]`: nothing listens.
   */
  readonly targets: ReadonlyArray<readonly ['500' | 'refused', string]>;
  /** Headers of the requests the echoing server got (proof the credentials were sent). */
  readonly requests: readonly import('node:http').IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A server that echoes our headers in a 500 and a refused port: the two failing runs of the matrix. */
export async function failingLokis(): Promise<FailingLokis> {
  const echo = await createHostileServer({ kind: 'echo-headers' });
  const refused = await closedPort();
  return {
    targets: [
      ['500', echo.url.slice('http://'.length)],
      ['refused', refused],
    ],
    requests: echo.requests,
    close: () => echo.close(),
  };
}

/**
 * The failing Lokis a test file opens (`open()`), all closed by `closeAll()` (its `afterEach`): the
 * secrets tests' one preamble, as {@link hostileServers} is the hostile-server tests'.
 */
// Function-typed properties, not methods: tests pass `lokis.open` and `lokis.closeAll` around unbound.
export function failingLokiSet(): {
  open: () => Promise<FailingLokis>;
  closeAll: () => Promise<void>;
} {
  const open: FailingLokis[] = [];
  return {
    async open() {
      const lokis = await failingLokis();
      open.push(lokis);
      return lokis;
    },
    closeAll: async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    },
  };
}

/**
 * Client options for one attempt against a hostile server: no retry, no offline buffer, and a request
 * timeout long enough for a slow or huge answer. A package's tests add their own on top.
 */
export const ONE_ATTEMPT = Object.freeze({
  retryMaxAttempts: 1,
  offlineBuffer: false,
  retryInitialDelayMillis: 1,
  requestTimeoutMillis: 20_000,
} as const);

/**
 * Hostile servers a test file opens, all closed by `closeAll()` (its `afterEach`). Kept here beside
 * {@link failingLokis} so the hostile-server tests of every package share one preamble.
 */
// Function-typed properties, not methods: tests pass `servers.open` and `servers.closeAll` around unbound.
export function hostileServers(): {
  open: (behaviour: HostileBehaviour) => Promise<HostileServer>;
  closeAll: () => Promise<void>;
} {
  const servers: HostileServer[] = [];
  return {
    async open(behaviour) {
      const server = await createHostileServer(behaviour);
      servers.push(server);
      return server;
    },
    closeAll: async () => {
      await Promise.all(servers.splice(0).map((s) => s.close()));
    },
  };
}
