import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createLokiReceiver, type LokiReceiver, type LokiReceiverOptions } from '@loki-sdk/testing';
import pino, { type LoggerOptions } from 'pino';
import { afterEach } from 'vitest';
import type { LokiErrorEvent, PinoLokiOptions } from '../src/index.js';
import { DEFAULT_LEVEL_NAMES, type MappingConfig } from '../src/to-loki-record.js';

/** Everything a test opened is closed after it. */
const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

export async function receiver(options?: LokiReceiverOptions): Promise<LokiReceiver> {
  // Our assertions compare labels and metadata exactly: Loki's own additions (service_name,
  // detected_level; on by default, as in Loki) are the receiver's tests' business.
  const r = await createLokiReceiver({ discoverServiceName: false, discoverLogLevels: false, ...options });
  open.push(() => r.close());
  return r;
}

export type TransportStream = ReturnType<typeof pino.transport>;

/** Ends a transport the way pino does at exit, and waits for its worker to close. */
export async function endTransport(transport: TransportStream): Promise<void> {
  if ((transport as unknown as { closed: boolean }).closed) return;
  const closed = once(transport, 'close');
  transport.end();
  await closed;
}

/**
 * A real pino logger writing through `pino.transport()` to the BUILT package, resolved by its
 * name from this file exactly as an app resolves it.
 */
export function lokiLogger(
  r: LokiReceiver,
  options: PinoLokiOptions = {},
  loggerOptions: LoggerOptions = {},
): { logger: pino.Logger<string>; transport: TransportStream; errors: LokiErrorEvent[] } {
  const transport = pino.transport({
    target: '@loki-sdk/pino-loki-transport',
    options: { host: r.url, batchIntervalMillis: 20, ...options },
  });
  const errors: LokiErrorEvent[] = [];
  transport.on('lokiError', (e: LokiErrorEvent) => errors.push(e));
  open.push(() => endTransport(transport));
  const logger = pino(loggerOptions, transport) as unknown as pino.Logger<string>;
  return { logger, transport, errors };
}

/** logger.flush(cb) as a promise. */
export function flushLogger(logger: pino.Logger<string>): Promise<void> {
  return new Promise((resolve, reject) => logger.flush((err) => (err ? reject(err) : resolve())));
}

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMillis: number;
}

/** Runs a node script as a child process; `input` is written to its stdin. */
export async function run(
  script: string,
  options: { env?: Record<string, string>; args?: string[]; input?: string | Buffer; timeoutMillis?: number } = {},
): Promise<RunResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => stdout.push(d));
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  child.stdin.on('error', () => {});
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMillis ?? 30_000);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return {
    code,
    signal,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    elapsedMillis: Date.now() - started,
  };
}

/** Lines of the receiver's entries, parsed as JSON. */
export function jsonLines(r: LokiReceiver, selector?: Record<string, string>): Array<Record<string, unknown>> {
  return r.entries(selector).map((e) => JSON.parse(e.line) as Record<string, unknown>);
}

/** The mapping the transport uses with no options (pure tests of toLokiRecord). */
export const mappingDefaults: MappingConfig = {
  lineFormat: 'json',
  labelPrefix: 'label_',
  propsToLabels: [],
  metadataKey: undefined,
  timeKey: 'time',
  messageKey: 'msg',
  errorKey: 'err',
  levelNames: DEFAULT_LEVEL_NAMES,
  levelMap: undefined,
  replaceTimestamp: false,
  hostnameLabel: false,
  convertArrays: false,
  logFormat: undefined,
};
