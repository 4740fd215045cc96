import { clientChecks } from './option-checks.js';
import type { OptionSpec } from './option-schema.js';

const ms = { type: 'number', unit: 'ms' } as const;

/** Where entries go and what they carry: connection, labels and content options of createLokiClient, in table order. */
export const CONTENT_OPTION_SCHEMA = {
  host: {
    group: 'connection',
    type: 'string',
    default: 'http://localhost:3100',
    check: clientChecks.url,
    doc: 'Loki base URL; `/loki/api/v1/push` is appended',
    flag: { help: 'Loki base URL' },
    aliases: [{ dialect: 'sdk', name: 'endpoints.loki', hintOnly: true }],
  },
  url: {
    group: 'connection',
    type: 'string',
    check: clientChecks.url,
    doc:
      'full push URL, used as given; wins over `host`. A URL with no path (`https://logs.example.com`) ' +
      'gets `/loki/api/v1/push`',
    flag: { help: 'Full push URL; wins over --host (or env LOKI_URL)' },
    aliases: [{ dialect: 'sdk', name: 'endpoints.loki', hintOnly: true }],
  },
  tenantId: {
    group: 'connection',
    type: 'string',
    check: clientChecks.headerString,
    doc: 'sent as `X-Scope-OrgID` (needed by multi-tenant Loki)',
    flag: { help: 'Tenant, sent as X-Scope-OrgID (or env LOKI_TENANT)' },
  },
  basicAuth: {
    group: 'connection',
    type: 'object',
    check: clientChecks.basicAuth,
    doc: '`{ username, password }` (Grafana Cloud: user id + token)',
    flag: false,
  },
  bearerToken: {
    group: 'connection',
    type: 'string',
    check: clientChecks.headerString,
    doc: '`Authorization: Bearer ...`',
    flag: { help: 'Bearer token (or env LOKI_BEARER_TOKEN)' },
  },
  headers: {
    group: 'connection',
    type: 'object',
    defaultText: '`{}`',
    check: clientChecks.headers,
    doc: 'extra headers (copied, never mutated)',
    flag: { help: 'Extra headers: JSON object or k=v,k2=v2', kind: 'json' },
  },
  tls: {
    group: 'connection',
    type: 'object',
    check: clientChecks.tls,
    doc: '`{ ca, cert, key, caFile, certFile, keyFile, passphrase, rejectUnauthorized = true }`',
    flag: false,
  },
  proxy: {
    group: 'connection',
    type: 'string',
    defaultText: '— (direct; the environment is not read)',
    check: clientChecks.proxy,
    doc:
      'an `http://` proxy URL (`http://user:pass@proxy:3128`; the credentials are never printed): requests go ' +
      'through a CONNECT tunnel, to an https Loki and to an http one alike (a proxy that allows CONNECT only to ' +
      "port 443, squid's default, refuses an http Loki on 3100). `'env'`: `https_proxy`/`HTTPS_PROXY` for an " +
      'https Loki, `http_proxy`/`HTTP_PROXY` for an http one (lower case first, empty means unset), unless ' +
      "`no_proxy`/`NO_PROXY` names Loki's host (`host`, `.domain`, `*.domain`, `host:port`, `*`). Read once, at " +
      'construction. The synchronous send at `process.exit()` goes through it too',
    flag: { help: 'HTTP proxy URL (CONNECT), or "env" for HTTPS_PROXY / HTTP_PROXY / NO_PROXY', kind: 'string' },
  },
  labels: {
    group: 'content',
    type: 'object',
    defaultText: '`{}`',
    check: clientChecks.labels,
    doc: 'static stream labels',
    flag: { help: 'Static labels: JSON object or k=v,k2=v2', kind: 'json', short: 'l' },
  },
  levelLabel: {
    group: 'content',
    type: 'string',
    default: 'level',
    check: clientChecks.levelLabel,
    doc: 'label name for the level; `false` keeps the level in metadata',
    flag: { help: 'Label carrying the level, or "false"' },
  },
  metadataMode: {
    group: 'content',
    type: 'string',
    default: 'structured',
    values: ['structured', 'line'],
    doc: "`'structured'`: Loki structured metadata; `'line'`: merged into a JSON line",
    flag: { help: 'structured | line' },
  },
  protocol: {
    group: 'request',
    type: 'string',
    default: 'loki',
    values: ['loki', 'otlp'],
    doc:
      "`'otlp'`: OTLP/HTTP logs instead of Loki's push API, to `host` + `/otlp/v1/logs` (Loki's) or to `url` as " +
      'given (a collector: a `url` with no path gets `/v1/logs`); see [OTLP out](#otlp-out)',
    flag: { help: 'loki | otlp (OTLP/HTTP logs to /otlp/v1/logs or a collector url)' },
  },
  encoding: {
    group: 'request',
    type: 'string',
    default: 'protobuf',
    values: ['protobuf', 'json', 'json-gzip'],
    doc:
      "`'protobuf'` (protobuf + snappy, Loki's native format; OTLP: protobuf + gzip), `'json'`, `'json-gzip'` " +
      '(OTLP: OTLP/JSON)',
    flag: { help: 'protobuf | json | json-gzip' },
    aliases: [{ dialect: 'winston-loki', name: 'json', convert: { when: true, set: 'json' } }],
  },
  batchMaxEntries: {
    group: 'batch',
    type: 'number',
    unit: 'entries',
    min: 1,
    default: 5000,
    doc: 'send when this many entries wait',
    flag: { help: 'Entries per request' },
    aliases: [{ dialect: 'sdk', name: 'bufferSize' }],
  },
  batchMaxBytes: {
    group: 'batch',
    type: 'number',
    unit: 'bytes',
    min: 1024,
    default: 1024 * 1024,
    doc:
      'send when this many line + metadata bytes wait; also the cap per request (Loki answers a 4 MiB+ push ' +
      'with 500 and stores none of it)',
    flag: { help: 'Bytes per request' },
  },
  batchIntervalMillis: {
    group: 'batch',
    ...ms,
    min: 0,
    default: 1000,
    doc: 'an entry waits at most this long before it is sent',
    flag: { help: 'Longest wait before a send' },
    aliases: [
      { dialect: 'sdk', name: 'flushInterval', convert: 'seconds' },
      { dialect: 'winston-loki', name: 'batching', convert: { when: false, set: 0 } },
      { dialect: 'winston-loki', name: 'interval', convert: 'seconds' },
    ],
  },
  maxLineBytes: {
    group: 'content',
    type: 'number',
    unit: 'bytes',
    min: 1,
    default: 262144,
    doc: "Loki's line limit",
    flag: { help: 'Longest line' },
  },
  oversizedLine: {
    group: 'content',
    type: 'string',
    default: 'truncate',
    values: ['truncate', 'drop'],
    doc: "or `'drop'`",
    flag: { help: 'truncate | drop' },
  },
} as const satisfies Record<string, OptionSpec>;
