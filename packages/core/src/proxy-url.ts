import { envValue } from './env-value.js';
import { LokiOptionsError } from './errors.js';

/**
 * The `proxy` option to the proxy URL for this push URL, or undefined for a direct connection.
 * `'env'` reads the variables curl and most tools read (lower case first, then upper case; empty
 * means unset, as everywhere, through envValue): `https_proxy` for an https Loki, `http_proxy` for
 * an http one, and `no_proxy`. Read once, at construction: the push URL is fixed for the client.
 * Not proxy-from-env: it reads process.env itself, and our one rule for the environment is envValue.
 */
export function resolveProxyUrl(
  option: string | undefined,
  pushUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (option === undefined) return undefined;
  if (option !== 'env') return checkedProxyUrl('proxy', option);
  const target = new URL(pushUrl);
  const scheme = target.protocol === 'https:' ? 'https' : 'http';
  const raw = envValue(`${scheme}_proxy`, env) ?? envValue(`${scheme.toUpperCase()}_PROXY`, env);
  if (raw === undefined) return undefined;
  const noProxy = envValue('no_proxy', env) ?? envValue('NO_PROXY', env);
  if (noProxy !== undefined && bypassed(target, noProxy)) return undefined;
  // `HTTPS_PROXY=proxy:3128` (no scheme) is common: an http proxy is meant.
  return checkedProxyUrl(`${scheme.toUpperCase()}_PROXY`, raw.includes('://') ? raw : `http://${raw}`);
}

/** The URL itself never reaches the message: it may carry user:password@. */
function checkedProxyUrl(name: string, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new LokiOptionsError(
      `${name}: proxy is not a valid URL (got a string of length ${raw.length}); expected 'http://host:port' or 'env'`,
    );
  }
  if (parsed.protocol !== 'http:') {
    throw new LokiOptionsError(
      `${name}: proxy must be an http:// URL (https targets are tunnelled with CONNECT), got ${parsed.protocol}`,
    );
  }
  return parsed.toString();
}

/**
 * NO_PROXY as curl reads it: entries split by commas or spaces; `*` alone matches every host; an
 * entry matches its host and every subdomain (a leading `.` or `*.` is the same); `host:port`
 * matches that port only. No CIDR ranges.
 */
function bypassed(target: URL, noProxy: string): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = target.port !== '' ? target.port : target.protocol === 'https:' ? '443' : '80';
  for (const raw of noProxy.toLowerCase().split(/[\s,]+/)) {
    if (raw === '') continue;
    if (raw === '*') return true;
    // `[::1]:3100`, a bare IPv6 `::1` (no port), `host:3100`, `host`.
    const parts: ReadonlyArray<string | undefined> | null = raw.startsWith('[')
      ? /^\[([^\]]*)\](?::(\d+))?$/.exec(raw)
      : raw.split(':').length > 2
        ? [raw, raw, undefined]
        : /^([^:]*)(?::(\d+))?$/.exec(raw);
    if (parts === null) continue;
    const entryPort = parts[2];
    const entryHost = parts[1]!.replace(/^\*?\./, '');
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}
