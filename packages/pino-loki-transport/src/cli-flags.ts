// The CLI's flags: derived from the options schema (core's and pino's), plus composite flags and
// pino-loki's spellings; and the help text printed from them.
import { CLIENT_OPTION_SCHEMA, DISK_BUFFER_DEFAULTS, PUSH_PATH, type OptionSpec } from '@loki-sdk/core/adapter';
import { PINO_OPTION_SCHEMA } from './option-schema.js';

export type Kind = 'string' | 'number' | 'boolean' | 'json' | 'list' | 'seconds';

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
export const PINO_LOKI_FLAGS: Record<string, Flag> = {
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
