import { inspect, type InspectOptionsStylized } from 'node:util';
import type { ResolvedOptions } from './options.js';

/**
 * Credentials never reach a printout: every object we hand the app (client, errors, resolved
 * options, transports) prints, and serializes, through a view without them. This file holds the
 * rule of what is a credential and the helpers that give an object its redacted forms.
 */
export const REDACTED = '[redacted]';

/**
 * Header names whose values are credentials (any case). Wide on purpose: redacting a harmless
 * value costs a `[redacted]`, missing a credential prints it (`X-Functions-Key`, `X-Custom-Auth`).
 */
const SECRET_HEADER = /auth|cookie|token|secret|passw|credential|session|signature|api[-_]?key|(?:^|[-_])key$/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** Removes user:password@ from URLs so credentials never reach a message. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/g, '//[redacted]@');
}

/** A copy of headers with credential values replaced. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(headers)) out[name] = isSecretHeader(name) ? REDACTED : String(headers[name]);
  return out;
}

/**
 * The credential strings these request settings hold: secret header values (whole, and the part
 * after the scheme), the password of a basic-auth header and of a user:pass@ URL (Loki's, the proxy's).
 * Used to cut them out of text a server sent back (a proxy that echoes our headers).
 */
export function secretStrings(
  headers: Readonly<Record<string, string>>,
  ...urls: ReadonlyArray<string | undefined>
): string[] {
  const out = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value !== undefined && value.length >= 4) out.add(value);
  };
  for (const name of Object.keys(headers)) {
    if (!isSecretHeader(name)) continue;
    const value = String(headers[name]);
    add(value);
    const space = value.indexOf(' ');
    if (space > 0) {
      const credential = value.slice(space + 1).trim();
      add(credential);
      if (/^basic$/i.test(value.slice(0, space))) {
        const pair = Buffer.from(credential, 'base64').toString('utf8');
        add(pair);
        add(pair.slice(pair.indexOf(':') + 1));
      }
    }
  }
  for (const url of urls) {
    if (url === undefined) continue;
    try {
      const parsed = new URL(url);
      add(parsed.password);
      add(decodeURIComponent(parsed.password));
      if (parsed.username !== '' || parsed.password !== '') {
        add(
          Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString(
            'base64',
          ),
        );
      }
    } catch {
      // not a URL: nothing in it
    }
  }
  // Longest first, so a whole header value goes before the token inside it.
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every one of `secrets` replaced. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

const SAFE_CAUSE_FIELDS = [
  'code',
  'errno',
  'syscall',
  'hostname',
  'address',
  'port',
  'path',
  'status',
  'statusCode',
] as const;

/**
 * An error worth keeping as a `cause`, without what it may carry: got's errors hold the request
 * options (headers included), the request and the response. The copy keeps name, message and stack
 * (URLs redacted) and the fields that help: code, errno, syscall, hostname, address, port (from the
 * error under it when it has none itself). Never throws (the value may be a hostile Proxy).
 */
export function safeCause(cause: unknown, depth = 0): unknown {
  if (cause === undefined || cause === null) return cause;
  try {
    if (typeof cause === 'string') return redactUrl(cause);
    if (typeof cause !== 'object') return cause;
    if ((cause as { [SAFE]?: boolean })[SAFE] === true) return cause; // a copy already
    const src = cause as Record<string, unknown>;
    const copy = new Error(redactUrl(typeof src.message === 'string' ? src.message : String(src.message ?? '')));
    Object.defineProperty(copy, SAFE, { value: true });
    copy.name = typeof src.name === 'string' ? src.name : 'Error';
    // got's RequestError keeps only `code`; the socket's error under it has syscall, address, port: lift them.
    const inner =
      src.cause !== null && typeof src.cause === 'object' ? (src.cause as Record<string, unknown>) : undefined;
    for (const key of SAFE_CAUSE_FIELDS) {
      const value = src[key] ?? inner?.[key];
      if (typeof value === 'string' || typeof value === 'number')
        (copy as unknown as Record<string, unknown>)[key] = value;
    }
    copy.stack = typeof src.stack === 'string' ? redactUrl(src.stack) : `${copy.name}: ${copy.message}`;
    if (src.cause !== undefined && depth < 4) copy.cause = safeCause(src.cause, depth + 1);
    return copy;
  } catch {
    return new Error('[unreadable cause]');
  }
}
const SAFE = Symbol('loki-sdk.safe-cause');

/**
 * Gives `target` a printed form (`util.inspect`, hence `console.log`) and a JSON form
 * (`JSON.stringify`) made of `view()`, a plain object without credentials. Non-enumerable: spreads
 * and copies of `target` do not carry them.
 */
export function redactedForm<T extends object>(target: T, name: string, view: (self: T) => object): T {
  Object.defineProperty(target, inspect.custom, {
    value: function (this: T, depth: number, options: InspectOptionsStylized, insp: typeof inspect): string {
      return printView(name, view(this), depth, options, insp);
    },
    configurable: true,
    writable: true,
  });
  Object.defineProperty(target, 'toJSON', {
    value: function (this: T): object {
      return view(this);
    },
    configurable: true,
    writable: true,
  });
  return target;
}

/** `Name { ...view }`, honouring the depth the caller asked for. */
export function printView(
  name: string,
  view: object,
  depth: number,
  options: InspectOptionsStylized,
  insp: typeof inspect = inspect,
): string {
  if (depth < 0) return options.stylize(`[${name}]`, 'special');
  const nested = {
    ...options,
    depth: options.depth === null || options.depth === undefined ? options.depth : options.depth - 1,
  };
  return `${name} ${insp(view, nested)}`;
}

/** What resolved options print as: credentials replaced, certificates summarized. */
export function optionsView(options: ResolvedOptions): object {
  const { pushUrl, headers, tls, proxy, ...rest } = options;
  const tlsView: Record<string, unknown> = { rejectUnauthorized: tls.rejectUnauthorized };
  if (tls.ca !== undefined) tlsView.ca = `[${tls.ca.length} CA certificate(s)]`;
  if (tls.cert !== undefined) tlsView.cert = '[certificate]';
  if (tls.key !== undefined) tlsView.key = REDACTED;
  if (tls.passphrase !== undefined) tlsView.passphrase = REDACTED;
  return {
    pushUrl: redactUrl(pushUrl),
    headers: redactHeaders(headers),
    tls: tlsView,
    ...(proxy !== undefined ? { proxy: redactUrl(proxy) } : {}),
    ...rest,
  };
}
