import { parseArgs } from 'node:util';
import {
  CLIENT_OPTION_SCHEMA,
  DEFAULTS,
  DISK_BUFFER_DEFAULTS,
  envValue,
  PUSH_PATH,
  suggestName,
  type OptionSpec,
} from '@loki-sdk/core/adapter';
import { PINO_OPTION_SCHEMA } from './option-schema.js';
import type { PinoLokiOptions } from './options.js';

type Kind = 'string' | 'number' | 'boolean' | 'json' | 'list' | 'seconds';

export interface Flag {
  kind: Kind;
  /** Option of PinoLokiOptions it sets (dotted for nested). Flags without one are handled in parseCliArgs. */
  option?: string;
  /** The value a boolean flag sets (`--no-offline-buffer` sets false). Default true. */
  sets?: boolean;
  short?: string;
  help: string;
  /** A spelling of another flag (pino-loki's, for migration): listed apart in the help. */
  aliasOf?: string;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const KIND_OF_TYPE: Record<OptionSpec['type'], Kind> = {
  string: 'string',
  number: 'number',
  boolean: 'boolean',
  object: 'json',
  list: 'list',
  function: 'string',
};

/**
 * A flag per option of the schemas (core's, then the transport's) that has one: kind, help and default from
 * there (a boolean defaulting to true gets a --no- flag). Options with `flag: false` (functions, the exit
 * hook, what the CLI does itself, the objects set by several flags below) have none.
 */
function derivedFlags(): Record<string, Flag> {
  const out: Record<string, Flag> = {};
  const schema: Record<string, OptionSpec> = { ...CLIENT_OPTION_SCHEMA, ...PINO_OPTION_SCHEMA };
  for (const [name, spec] of Object.entries(schema)) {
    if (spec.flag === false || spec.flag === undefined) continue;
    const kind = spec.flag.kind ?? KIND_OF_TYPE[spec.type];
    const fallback = spec.default;
    const negated = fallback === true;
    const shown = kind === 'boolean' || fallback === undefined ? '' : ` (default ${String(fallback)})`;
    const flag: Flag = { kind, option: name, help: `${spec.flag.help}${shown}` };
    if (negated) flag.sets = false;
    if (spec.flag.short !== undefined) flag.short = spec.flag.short;
    out[negated ? `no-${kebab(name)}` : kebab(name)] = flag;
  }
  return out;
}

/** Flags of the options that are objects, and of what the CLI does itself. */
const COMPOSITE_FLAGS: Record<string, Flag> = {
  tenant: { kind: 'string', option: 'tenantId', help: 'Same as --tenant-id' },
  endpoint: { kind: 'string', help: `Push path appended to --host (default ${PUSH_PATH})` },
  user: { kind: 'string', short: 'u', help: 'Basic auth user' },
  password: { kind: 'string', short: 'p', help: 'Basic auth password (or env LOKI_PASSWORD)' },
  'basic-auth': { kind: 'string', option: 'basicAuth', help: 'Basic auth as user:password' },
  'ca-file': { kind: 'string', option: 'tls.caFile', help: 'CA certificate file (PEM)' },
  'cert-file': { kind: 'string', option: 'tls.certFile', help: 'Client certificate file (PEM)' },
  'key-file': { kind: 'string', option: 'tls.keyFile', help: 'Client key file (PEM)' },
  insecure: {
    kind: 'boolean',
    option: 'tls.rejectUnauthorized',
    sets: false,
    help: "Do not verify Loki's TLS certificate",
  },
  'disk-buffer-dir': {
    kind: 'string',
    option: 'diskBuffer.directory',
    help: 'Keep unacknowledged entries in files in this directory',
  },
  'disk-buffer-max-bytes': {
    kind: 'number',
    option: 'diskBuffer.maxBytes',
    help: `Most bytes in the directory (default ${DISK_BUFFER_DEFAULTS.maxBytes})`,
  },
  'disk-buffer-sync-interval-millis': {
    kind: 'number',
    option: 'diskBuffer.syncIntervalMillis',
    help: `fsync at most this late (default ${DISK_BUFFER_DEFAULTS.syncIntervalMillis})`,
  },
  'disk-buffer-segment-max-bytes': {
    kind: 'number',
    option: 'diskBuffer.segmentMaxBytes',
    help: `Most bytes of one segment file (default ${DISK_BUFFER_DEFAULTS.segmentMaxBytes})`,
  },
  'disk-buffer-heartbeat-timeout-millis': {
    kind: 'number',
    option: 'diskBuffer.heartbeatTimeoutMillis',
    help: `Lock age that means a dead owner on another host (default ${DISK_BUFFER_DEFAULTS.heartbeatTimeoutMillis})`,
  },
  'no-stdout': { kind: 'boolean', help: 'Do not copy the input to stdout' },
  'silence-errors': { kind: 'boolean', short: 's', help: 'Do not print delivery errors to stderr' },
  help: { kind: 'boolean', short: 'h', help: 'Print this help' },
  version: { kind: 'boolean', short: 'v', help: 'Print the version' },
};

/**
 * pino-loki 3's CLI flags (its src/cli/args.ts), and `--interval` (its help's example). Using any of
 * them makes the run a pino-loki config, as its options do (see pino-loki-options.ts): its streams
 * (hostname label, level names, `meta` as structured metadata) unless a flag of ours says otherwise.
 */
const PINO_LOKI_FLAGS: Record<string, Flag> = {
  hostname: { kind: 'string', option: 'host', help: '', aliasOf: 'host' },
  batching: { kind: 'boolean', short: 'b', help: '', aliasOf: '(batching is always on)' },
  'batching-interval': {
    kind: 'number',
    option: 'batching.interval',
    short: 'i',
    help: '',
    aliasOf: 'batch-interval-millis, in seconds',
  },
  interval: { kind: 'number', option: 'batching.interval', help: '', aliasOf: 'batch-interval-millis, in seconds' },
  'batching-max-buffer-size': {
    kind: 'number',
    option: 'batching.maxBufferSize',
    help: '',
    aliasOf: 'buffer-max-entries; 0: the default bound',
  },
  timeout: { kind: 'number', option: 'requestTimeoutMillis', short: 't', help: '', aliasOf: 'request-timeout-millis' },
  silenceErrors: { kind: 'boolean', help: '', aliasOf: 'silence-errors' },
  replaceTimestamp: { kind: 'boolean', option: 'replaceTimestamp', help: '', aliasOf: 'replace-timestamp' },
  convertArrays: { kind: 'boolean', option: 'convertArrays', help: '', aliasOf: 'convert-arrays' },
  structuredMetaKey: { kind: 'string', option: 'structuredMetaKey', help: '', aliasOf: 'metadata-key; "false": none' },
  propsLabels: { kind: 'list', option: 'propsToLabels', help: '', aliasOf: 'props-to-labels' },
};

/** Every flag, in help order. Names are kebab-case; pino-loki's spellings are accepted as aliases. */
export const FLAGS: Record<string, Flag> = { ...derivedFlags(), ...COMPOSITE_FLAGS, ...PINO_LOKI_FLAGS };

export interface CliConfig {
  options: PinoLokiOptions;
  stdout: boolean;
  printErrors: boolean;
  help: boolean;
  version: boolean;
}

export function usage(): string {
  const shown = Object.entries(FLAGS).filter(([, flag]) => flag.aliasOf === undefined);
  const heads = shown.map(
    ([name, flag]) =>
      `  ${flag.short === undefined ? '    ' : `-${flag.short}, `}--${name}${flag.kind === 'boolean' ? '' : ' <value>'}`,
  );
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  const lines = [
    'Usage: node app.js | pino-loki-transport [options]',
    '',
    'Reads pino NDJSON from stdin and ships it to Loki.',
    '',
    'Options:',
  ];
  shown.forEach(([, flag], i) => lines.push(heads[i]!.padEnd(width) + flag.help));
  lines.push(
    '',
    'Environment: LOKI_URL (= --url), LOKI_TENANT (= --tenant-id), LOKI_PASSWORD, LOKI_BEARER_TOKEN; flags win, empty means unset.',
  );
  const aliases = Object.entries(FLAGS).filter(([, flag]) => flag.aliasOf !== undefined);
  const aliasHeads = aliases.map(([name, flag]) => `  ${flag.short === undefined ? '' : `-${flag.short}, `}--${name}`);
  const aliasWidth = Math.max(...aliasHeads.map((h) => h.length)) + 2;
  lines.push(
    '',
    "Also accepted (pino-loki's flags; any of them gives pino-loki's streams: hostname label, its level names, meta as metadata):",
  );
  aliases.forEach(([, flag], i) =>
    lines.push(
      `${aliasHeads[i]!.padEnd(aliasWidth)}= ${flag.aliasOf!.startsWith('(') ? flag.aliasOf : `--${flag.aliasOf}`}`,
    ),
  );
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
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error(`--${name} must be a JSON object`);
    return value as Record<string, string>;
  }
  const out: Record<string, string> = {};
  const parts = trimmed.split(',');
  for (let i = 0; i < parts.length; i++) {
    const pair = parts[i]!;
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new Error(`--${name}: entry ${i + 1} is not key=value (the value is not shown: it may hold a credential)`);
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
    spec[name] =
      flag.short === undefined
        ? { type: flag.kind === 'boolean' ? 'boolean' : 'string' }
        : { type: flag.kind === 'boolean' ? 'boolean' : 'string', short: flag.short };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: true });
  } catch (error) {
    const unknown =
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? /'(-{1,2}[^']+)'/.exec((error as Error).message)?.[1]
        : undefined;
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
    if (raw === undefined || flag.option === undefined || flag.option === 'basicAuth') continue;
    let value: unknown = raw;
    if (flag.kind === 'boolean') {
      value = flag.sets ?? true;
    } else if (flag.kind === 'number' || flag.kind === 'seconds') {
      const n = Number(raw);
      if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n))
        throw new Error(`--${name} must be a number, got ${String(raw)}`);
      value = flag.kind === 'seconds' ? Math.round(n * 1000) : n;
    } else if (flag.kind === 'json') {
      value = parseObject(name, String(raw));
    } else if (flag.kind === 'list') {
      value = String(raw)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    } else if ((flag.option === 'levelLabel' || flag.option === 'structuredMetaKey') && raw === 'false') {
      value = false;
    }
    setPath(options, flag.option, value);
  }
  // pino-loki's CLI always batches: any of its flags makes this a pino-loki config (see PINO_LOKI_FLAGS).
  if (Object.keys(PINO_LOKI_FLAGS).some((name) => v[name] !== undefined)) options.batching ??= true;

  if (options.url === undefined && options.host === undefined) {
    const url = envValue('LOKI_URL', env);
    if (url !== undefined) options.url = url;
  }
  if (typeof v.endpoint === 'string' && options.url === undefined) {
    const base = String(options.host ?? DEFAULTS.host).replace(/\/+$/, '');
    options.url = `${base}/${v.endpoint.replace(/^\/+/, '')}`;
  }
  const tenant = envValue('LOKI_TENANT', env);
  if (options.tenantId === undefined && tenant !== undefined) options.tenantId = tenant;
  const basic = typeof v['basic-auth'] === 'string' ? v['basic-auth'] : undefined;
  const user = typeof v.user === 'string' ? v.user : basic?.slice(0, Math.max(0, basic.indexOf(':')));
  const password =
    typeof v.password === 'string'
      ? v.password
      : basic !== undefined && basic.includes(':')
        ? basic.slice(basic.indexOf(':') + 1)
        : envValue('LOKI_PASSWORD', env);
  if (basic !== undefined && !basic.includes(':')) throw new Error('--basic-auth must be user:password');
  if (user !== undefined && user !== '') {
    if (password === undefined) throw new Error('--user needs --password (or env LOKI_PASSWORD)');
    options.basicAuth = { username: user, password };
  }
  const bearerToken = envValue('LOKI_BEARER_TOKEN', env);
  if (options.bearerToken === undefined && bearerToken !== undefined) options.bearerToken = bearerToken;

  return {
    options: options,
    stdout: v['no-stdout'] !== true,
    printErrors: v['silence-errors'] !== true && v.silenceErrors !== true,
    help: v.help === true,
    version: v.version === true,
  };
}
