import { parseArgs } from 'node:util';
import { envValue, suggestName } from '@loki-sdk/core/adapter';
import type { PinoLokiOptions } from './options.js';

type Kind = 'string' | 'number' | 'boolean' | 'json' | 'list' | 'seconds';

interface Flag {
  kind: Kind;
  /** Option of PinoLokiOptions it sets (dotted for nested), or a special handled in toOptions. */
  option?: string;
  short?: string;
  help: string;
  /** Listed under pino-loki's name for migration; not shown separately in the help. */
  aliasOf?: string;
}

/** Every flag, in help order. Names are kebab-case; pino-loki's spellings are accepted as aliases. */
export const FLAGS: Record<string, Flag> = {
  host: { kind: 'string', option: 'host', help: 'Loki base URL (default http://localhost:3100)' },
  url: { kind: 'string', option: 'url', help: 'Full push URL; wins over --host' },
  endpoint: { kind: 'string', help: 'Push path appended to --host (default /loki/api/v1/push)' },
  tenant: { kind: 'string', option: 'tenantId', help: 'Tenant, sent as X-Scope-OrgID' },
  user: { kind: 'string', short: 'u', help: 'Basic auth user' },
  password: { kind: 'string', short: 'p', help: 'Basic auth password (or env LOKI_PASSWORD)' },
  'basic-auth': { kind: 'string', help: 'Basic auth as user:password' },
  'bearer-token': { kind: 'string', option: 'bearerToken', help: 'Bearer token (or env LOKI_BEARER_TOKEN)' },
  headers: { kind: 'json', option: 'headers', help: 'Extra headers: JSON object or k=v,k2=v2' },
  labels: { kind: 'json', option: 'labels', short: 'l', help: 'Static labels: JSON object or k=v,k2=v2' },
  'props-to-labels': { kind: 'list', option: 'propsToLabels', help: 'Fields copied to labels, comma separated' },
  'label-prefix': { kind: 'string', option: 'labelPrefix', help: 'Fields with this prefix become labels (default label_)' },
  'level-label': { kind: 'string', option: 'levelLabel', help: 'Label carrying the level, or "false" (default level)' },
  'level-map': { kind: 'json', option: 'levelMap', help: 'Level renames: JSON, e.g. {"35":"notice","warn":"warning"}' },
  'line-format': { kind: 'string', option: 'lineFormat', help: 'json | message (default json)' },
  'metadata-mode': { kind: 'string', option: 'metadataMode', help: 'structured | line (default structured)' },
  'metadata-key': { kind: 'string', option: 'metadataKey', help: 'Field whose object goes to structured metadata' },
  'time-key': { kind: 'string', option: 'timeKey', help: 'Time field (default time)' },
  'message-key': { kind: 'string', option: 'messageKey', help: 'Message field (default msg)' },
  'error-key': { kind: 'string', option: 'errorKey', help: 'Error field (default err)' },
  'replace-timestamp': { kind: 'boolean', option: 'replaceTimestamp', short: 'r', help: "Stamp entries when read, ignoring the record's time" },
  encoding: { kind: 'string', option: 'encoding', help: 'protobuf | json | json-gzip (default protobuf)' },
  'batch-max-entries': { kind: 'number', option: 'batchMaxEntries', help: 'Entries per request (default 5000)' },
  'batch-max-bytes': { kind: 'number', option: 'batchMaxBytes', help: 'Bytes per request (default 1048576)' },
  'batch-interval-millis': { kind: 'number', option: 'batchIntervalMillis', help: 'Longest wait before a send (default 1000)' },
  'max-line-bytes': { kind: 'number', option: 'maxLineBytes', help: 'Longest line (default 262144)' },
  'oversized-line': { kind: 'string', option: 'oversizedLine', help: 'truncate | drop (default truncate)' },
  'request-timeout-millis': { kind: 'number', option: 'requestTimeoutMillis', help: 'Per-request timeout (default 10000)' },
  'max-requests-in-flight': { kind: 'number', option: 'maxRequestsInFlight', help: 'Parallel requests (default 1)' },
  'retry-max-attempts': { kind: 'number', option: 'retryMaxAttempts', help: 'Attempts per batch (default 10)' },
  'retry-initial-delay-millis': { kind: 'number', option: 'retryInitialDelayMillis', help: 'First backoff (default 500)' },
  'retry-max-delay-millis': { kind: 'number', option: 'retryMaxDelayMillis', help: 'Longest backoff (default 30000)' },
  'no-offline-buffer': { kind: 'boolean', help: 'Drop batches after their attempts instead of keeping them while Loki is down' },
  'buffer-max-entries': { kind: 'number', option: 'bufferMaxEntries', help: 'Most entries held (default 1000000)' },
  'buffer-max-bytes': { kind: 'number', option: 'bufferMaxBytes', help: 'Most bytes held (default 67108864)' },
  'close-timeout-millis': { kind: 'number', option: 'closeTimeoutMillis', help: 'Deadline of the final flush at end of input (default 5000)' },
  'ca-file': { kind: 'string', option: 'tls.caFile', help: 'CA certificate file (PEM)' },
  'cert-file': { kind: 'string', option: 'tls.certFile', help: 'Client certificate file (PEM)' },
  'key-file': { kind: 'string', option: 'tls.keyFile', help: 'Client key file (PEM)' },
  insecure: { kind: 'boolean', help: "Do not verify Loki's TLS certificate" },
  'no-stdout': { kind: 'boolean', help: 'Do not copy the input to stdout' },
  'silence-errors': { kind: 'boolean', short: 's', help: 'Do not print delivery errors to stderr' },
  help: { kind: 'boolean', short: 'h', help: 'Print this help' },
  version: { kind: 'boolean', short: 'v', help: 'Print the version' },
  // pino-loki spellings
  hostname: { kind: 'string', option: 'host', help: '', aliasOf: 'host' },
  interval: { kind: 'seconds', option: 'batchIntervalMillis', short: 'i', help: '', aliasOf: 'batch-interval-millis (in seconds)' },
  'batching-interval': { kind: 'seconds', option: 'batchIntervalMillis', help: '', aliasOf: 'batch-interval-millis (in seconds)' },
  timeout: { kind: 'number', option: 'requestTimeoutMillis', short: 't', help: '', aliasOf: 'request-timeout-millis' },
  propsLabels: { kind: 'list', option: 'propsToLabels', help: '', aliasOf: 'props-to-labels' },
  structuredMetaKey: { kind: 'string', option: 'metadataKey', help: '', aliasOf: 'metadata-key' },
  silenceErrors: { kind: 'boolean', help: '', aliasOf: 'silence-errors' },
  replaceTimestamp: { kind: 'boolean', option: 'replaceTimestamp', help: '', aliasOf: 'replace-timestamp' },
};

export interface CliConfig {
  options: PinoLokiOptions;
  stdout: boolean;
  printErrors: boolean;
  help: boolean;
  version: boolean;
}

export function usage(): string {
  const lines = ['Usage: node app.js | pino-loki-transport [options]', '', 'Reads pino NDJSON from stdin and ships it to Loki.', '', 'Options:'];
  for (const [name, flag] of Object.entries(FLAGS)) {
    if (flag.aliasOf !== undefined) continue;
    const value = flag.kind === 'boolean' ? '' : ' <value>';
    const short = flag.short === undefined ? '    ' : `-${flag.short}, `;
    lines.push(`  ${short}--${name}${value}`.padEnd(38) + flag.help);
  }
  lines.push('', `pino-loki flags accepted: ${Object.entries(FLAGS).filter(([, f]) => f.aliasOf !== undefined).map(([n, f]) => `--${n} (= --${f.aliasOf})`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `--headers` and the like. Errors never quote the value: it may hold a credential (a token). */
function parseObject(name: string, text: string): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new Error(`--${name} is not valid JSON (the value is not shown: it may hold a credential)`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`--${name} must be a JSON object`);
    return value as Record<string, string>;
  }
  const out: Record<string, string> = {};
  const parts = trimmed.split(',');
  for (let i = 0; i < parts.length; i++) {
    const pair = parts[i]!;
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--${name}: entry ${i + 1} is not key=value (the value is not shown: it may hold a credential)`);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const part of parts.slice(0, -1)) cur = (cur[part] ??= {}) as Record<string, unknown>;
  cur[parts[parts.length - 1]!] = value;
}

/** argv (without node and script) -> options. Throws an Error with a message for the user. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = {}): CliConfig {
  const spec: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, flag] of Object.entries(FLAGS)) {
    spec[name] = flag.short === undefined ? { type: flag.kind === 'boolean' ? 'boolean' : 'string' } : { type: flag.kind === 'boolean' ? 'boolean' : 'string', short: flag.short };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: true });
  } catch (error) {
    const unknown = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-{1,2}[^']+)'/.exec((error as Error).message)?.[1] : undefined;
    if (unknown === undefined) throw error;
    const suggestion = suggestName(unknown.replace(/^-+/, ''), Object.keys(FLAGS));
    throw new Error(`unknown option ${unknown}${suggestion === undefined ? '' : ` (did you mean --${suggestion}?)`}`, {
      cause: error,
    });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}`);
  const v = values as Record<string, string | boolean | undefined>;

  const options: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(FLAGS)) {
    const raw = v[name];
    if (raw === undefined || flag.option === undefined) continue;
    let value: unknown = raw;
    if (flag.kind === 'number' || flag.kind === 'seconds') {
      const n = Number(raw);
      if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${String(raw)}`);
      value = flag.kind === 'seconds' ? Math.round(n * 1000) : n;
    } else if (flag.kind === 'json') {
      value = parseObject(name, String(raw));
    } else if (flag.kind === 'list') {
      value = String(raw).split(',').map((s) => s.trim()).filter((s) => s !== '');
    } else if (flag.option === 'levelLabel' && raw === 'false') {
      value = false;
    }
    setPath(options, flag.option, value);
  }

  if (typeof v.endpoint === 'string' && options.url === undefined) {
    const base = String(options.host ?? 'http://localhost:3100').replace(/\/+$/, '');
    options.url = `${base}/${v.endpoint.replace(/^\/+/, '')}`;
  }
  const basic = typeof v['basic-auth'] === 'string' ? v['basic-auth'] : undefined;
  const user = typeof v.user === 'string' ? v.user : basic?.slice(0, Math.max(0, basic.indexOf(':')));
  const password = typeof v.password === 'string' ? v.password : basic !== undefined && basic.includes(':') ? basic.slice(basic.indexOf(':') + 1) : envValue('LOKI_PASSWORD', env);
  if (basic !== undefined && !basic.includes(':')) throw new Error('--basic-auth must be user:password');
  if (user !== undefined && user !== '') {
    if (password === undefined) throw new Error('--user needs --password (or env LOKI_PASSWORD)');
    options.basicAuth = { username: user, password };
  }
  const bearerToken = envValue('LOKI_BEARER_TOKEN', env);
  if (options.bearerToken === undefined && bearerToken !== undefined) options.bearerToken = bearerToken;
  if (v['no-offline-buffer'] === true) options.offlineBuffer = false;
  if (v.insecure === true) setPath(options, 'tls.rejectUnauthorized', false);

  return {
    options: options as PinoLokiOptions,
    stdout: v['no-stdout'] !== true,
    printErrors: v['silence-errors'] !== true && v.silenceErrors !== true,
    help: v.help === true,
    version: v.version === true,
  };
}
