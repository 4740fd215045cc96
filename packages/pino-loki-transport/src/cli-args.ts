import { parseArgs } from 'node:util';
import { DEFAULTS, envValue, suggestName } from '@loki-sdk/core/adapter';
import type { PinoLokiOptions } from './options.js';
import { FLAGS, PINO_LOKI_FLAGS, usage } from './cli-flags.js';

export { FLAGS, usage };

export interface CliConfig {
  options: PinoLokiOptions;
  stdout: boolean;
  printErrors: boolean;
  help: boolean;
  version: boolean;
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
