import { describeValue, lineFormatSpec, LokiOptionsError, type OptionSpec } from '@loki-sdk/core/adapter';
import type { PinoLokiOptions } from './options.js';

type Own = Exclude<keyof PinoLokiOptions, keyof import('@loki-sdk/core/adapter').LokiClientOptions>;
const t = 'transport';

/**
 * The transport's own options, in core's schema shape (type, default, bounds, doc, CLI flag): with
 * core's, the names the transport knows, its checks, its README table and the CLI's flags and help.
 */
export const PINO_OPTION_SCHEMA = {
  lineFormat: lineFormatSpec(['json', 'message'], {
    group: t,
    doc:
      "`'json'`: the pino record as the line. `'message'`: the message, other fields as structured metadata " +
      "(also by winston's name, `'metadata'`).",
    flag: { help: 'json | message' },
  }),
  labelPrefix: {
    group: t,
    type: 'string',
    default: 'label_',
    doc: "Fields starting with it become labels and leave the line. `''` turns it off.",
    flag: { help: 'Fields with this prefix become labels' },
  },
  propsToLabels: {
    group: t,
    type: 'list',
    defaultText: '`[]`',
    doc: "Fields copied to labels (dotted paths allowed: `'req.method'`); they stay in the line.",
    flag: { help: 'Fields copied to labels, comma separated' },
    check: (name, value) => {
      if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || p === ''))
        throw new LokiOptionsError(`${name} must be an array of field names, got ${describeValue(value)}`);
    },
  },
  metadataKey: {
    group: t,
    type: 'string',
    min: 1,
    doc: 'A field holding an object whose entries go to structured metadata (and leave the line).',
    flag: { help: 'Field whose object goes to structured metadata' },
  },
  timeKey: {
    group: t,
    type: 'string',
    min: 1,
    default: 'time',
    doc: "Field with the record's time.",
    flag: { help: 'Time field' },
  },
  messageKey: {
    group: t,
    type: 'string',
    min: 1,
    default: 'msg',
    defaultText: "pino's, else `'msg'`",
    doc: 'Message field (message format).',
    flag: { help: 'Message field' },
  },
  errorKey: {
    group: t,
    type: 'string',
    min: 1,
    default: 'err',
    defaultText: "pino's, else `'err'`",
    doc: 'Error field (message format).',
    flag: { help: 'Error field' },
  },
  levelMap: {
    group: t,
    type: 'object',
    doc: "Renames levels by name or number: `{ warn: 'warning', 60: 'critical' }`.",
    flag: { help: 'Level renames: JSON, e.g. {"35":"notice","warn":"warning"}' },
    check: (name, value) => {
      if (
        value === null ||
        typeof value !== 'object' ||
        Array.isArray(value) ||
        Object.values(value).some((v) => typeof v !== 'string')
      )
        throw new LokiOptionsError(`${name} must map level names or numbers to strings, got ${describeValue(value)}`);
    },
  },
  replaceTimestamp: {
    group: t,
    type: 'boolean',
    default: false,
    doc: "Ignore the record's time; stamp entries when the worker reads them.",
    flag: { help: "Stamp entries when read, ignoring the record's time", short: 'r' },
  },
  hostnameLabel: {
    group: t,
    type: 'boolean',
    default: false,
    defaultText: '`false` (`true` for a pino-loki config)',
    doc: "The record's `hostname` field becomes the `hostname` label and leaves the line, as pino-loki does.",
    flag: { help: 'The record\'s hostname becomes the "hostname" label' },
  },
  convertArrays: {
    group: t,
    type: 'boolean',
    default: false,
    doc:
      'Arrays in a JSON line become objects keyed by index (`["a"]` → `{"0":"a"}`), as pino-loki\'s ' +
      '`convertArrays`.',
    flag: { help: 'Arrays in the line become objects keyed by index' },
  },
  logFormat: {
    group: t,
    type: 'string',
    min: 1,
    doc:
      "The line from a template, as pino-loki's: `'{lokilevel} {msg} {req.method}'`; `{path}` is the record's " +
      "field (dotted paths), `{lokilevel}` the level label; a missing or empty field is `''`, an object JSON. " +
      'Wins over `lineFormat`; a `metadataKey` object still goes to structured metadata. A function cannot ' +
      "cross into pino's worker.",
    flag: { help: 'Line template, e.g. "{lokilevel} {msg}"' },
  },
  printErrors: {
    group: t,
    type: 'boolean',
    defaultText: 'first of each code',
    doc:
      'Delivery errors on stderr. Unset: one line per error code, the first of each (`(node:PID) ' +
      '[ERR_LOKI_REJECTED] LokiWarning: ...`). `true`: every error (`pino-loki-transport: CODE: message`). ' +
      '`false`: none (the `lokiError` event still fires). Written synchronously from the worker, so they reach ' +
      'stderr also while the process exits.',
    flag: false,
  },
  statsIntervalMillis: {
    group: t,
    type: 'number',
    unit: 'ms',
    min: 0,
    default: 0,
    doc: 'Emit a `lokiStats` event this often (0 = only on request).',
    flag: false,
  },
  highWaterMarkEntries: {
    group: t,
    type: 'number',
    unit: 'entries',
    min: 1,
    default: 20_000,
    doc:
      'Stop reading from pino while this many entries wait for a Loki that answers (at most half of ' +
      "`bufferMaxEntries`; bytes: half of `bufferMaxBytes`). A burst then waits in pino's own buffer (with " +
      "several targets: in this transport's input buffer, as pino's multistream ignores backpressure) instead " +
      "of being dropped; while Loki is unreachable nothing waits (core's bounded buffer takes over), so the " +
      'other targets in the worker never stall on a dead Loki.',
    flag: { help: 'Stop reading stdin while this many entries wait for Loki' },
  },
} as const satisfies Record<Own, OptionSpec>;
