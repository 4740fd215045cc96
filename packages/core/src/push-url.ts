import { CLIENT_OPTION_SCHEMA } from './client-option-schema.js';
import { LokiOptionsError } from './errors.js';
import type { LokiProtocol } from './options.js';

// Where requests go: the `host`/`url` options to the one push URL, for Loki's push API or OTLP.

export const PUSH_PATH = '/loki/api/v1/push';
/** Loki's OTLP logs endpoint, appended to a `host`. */
export const OTLP_LOKI_PATH = '/otlp/v1/logs';
/** OTLP/HTTP's logs path, appended to a collector `url` with no path (as OTEL_EXPORTER_OTLP_ENDPOINT is). */
export const OTLP_PATH = '/v1/logs';

/**
 * `host` (base URL) or `url` (full push URL) to the push URL. The push path is appended to a `host`
 * not ending in it, and to a `url` with no path (`https://logs.example.com`): nothing else answers a
 * push there. A `url` with a path (a proxy's) is used as given. OTLP: `host` gets Loki's `/otlp/v1/logs`,
 * a `url` with no path OTLP's `/v1/logs` (a collector's).
 */
export function resolvePushUrl(options: { host?: string; url?: string; protocol?: LokiProtocol }): string {
  const raw = options.url ?? options.host ?? CLIENT_OPTION_SCHEMA.host.default;
  const name = options.url !== undefined ? 'url' : 'host';
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // The text itself is not shown: a URL may carry user:password@.
    throw new LokiOptionsError(
      `${name}: Loki URL is not a valid URL (got a ${typeof raw} of length ${String(raw).length})`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new LokiOptionsError(`${name}: Loki URL must be http: or https:, got ${parsed.protocol}`);
  }
  const path = options.protocol !== 'otlp' ? PUSH_PATH : options.url !== undefined ? OTLP_PATH : OTLP_LOKI_PATH;
  if (parsed.pathname.endsWith(path) || (options.url !== undefined && parsed.pathname !== '/'))
    return parsed.toString();
  parsed.pathname = parsed.pathname.replace(/\/+$/, '') + path;
  return parsed.toString();
}
