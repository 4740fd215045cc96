/**
 * Log-level detection as Loki's distributor does it (pkg/distributor/field_detection.go), producing the
 * value of the `detected_level` structured-metadata pair.
 */
import type { LabelPair } from './label-parser.js';

/** Name of the structured-metadata pair Loki appends. */
export const DETECTED_LEVEL = 'detected_level';

/** Default `log_level_fields`. */
export const LOG_LEVEL_FIELDS: readonly string[] = [
  'level',
  'LEVEL',
  'Level',
  'Severity',
  'severity',
  'SEVERITY',
  'lvl',
  'LVL',
  'Lvl',
];

const LOWER_FIELDS = new Set(LOG_LEVEL_FIELDS.map((f) => f.toLowerCase()));

function mapLevel(value: string): string | undefined {
  switch (value.toLowerCase()) {
    case 'trace':
    case 'trc':
      return 'trace';
    case 'debug':
    case 'dbg':
      return 'debug';
    case 'info':
    case 'inf':
      return 'info';
    case 'warn':
    case 'wrn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'err':
      return 'error';
    case 'critical':
      return 'critical';
    case 'fatal':
      return 'fatal';
    default:
      return undefined;
  }
}

/** The substring fallback (`detectLevelFromLogLine`). */
function levelFromSubstrings(line: string): string {
  const has = (...needles: string[]): boolean => needles.some((n) => line.includes(n));
  if (has('info:', 'INFO:', 'info', 'INFO')) return 'info';
  if (has('err:', 'ERR:', 'error', 'ERROR')) return 'error';
  if (has('warn:', 'WARN:', 'warning', 'WARNING')) return 'warn';
  if (has('CRITICAL:', 'critical:')) return 'critical';
  if (has('debug:', 'DEBUG:')) return 'debug';
  return 'unknown';
}

function levelFromOtlpSeverity(text: string): string {
  if (!/^[+-]?\d+$/.test(text)) return 'info';
  const n = Number(text);
  if (n === 0) return 'unknown';
  if (n <= 4) return 'trace';
  if (n <= 8) return 'debug';
  if (n <= 12) return 'info';
  if (n <= 16) return 'warn';
  if (n <= 20) return 'error';
  if (n <= 24) return 'fatal';
  return 'unknown';
}

function jsonField(line: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  for (const field of LOG_LEVEL_FIELDS) {
    const v = record[field];
    if (v === undefined) continue;
    return typeof v === 'string' ? v : JSON.stringify(v);
  }
  return undefined;
}

/** Minimal logfmt scan: returns the value of the first key that is a level field (case-insensitive). */
function logfmtField(line: string): string | undefined {
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    const key = m[1]!;
    if (!LOWER_FIELDS.has(key.toLowerCase())) continue;
    const raw = m[2]!;
    if (raw.startsWith('"')) {
      try {
        return JSON.parse(raw) as string;
      } catch {
        return raw.slice(1, -1);
      }
    }
    return raw;
  }
  return undefined;
}

function levelFromLine(line: string): string {
  const trimmed = line.trim();
  let value: string | undefined;
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) value = jsonField(trimmed);
  else if (line.includes('=')) value = logfmtField(line);
  const mapped = value === undefined ? undefined : mapLevel(value);
  return mapped ?? levelFromSubstrings(line);
}

/**
 * The `detected_level` value for one entry is, in order: a stream label named like a level field (verbatim),
 * else such a structured-metadata pair (verbatim), else an OTLP `severity_number` pair, else the line (JSON
 * field, logfmt field, substring scan); `unknown` when nothing matches. This is the first step, the same for
 * every entry of a stream; {@link detectLogLevelWithoutLabels} is the rest.
 */
export function levelFromLabels(labels: readonly LabelPair[]): string | undefined {
  for (const field of LOG_LEVEL_FIELDS) {
    const label = labels.find((l) => l.name === field);
    if (label) return label.value;
  }
  return undefined;
}

/** The `detected_level` of an entry whose stream has no level label (see {@link levelFromLabels}). */
export function detectLogLevelWithoutLabels(metadata: ReadonlyArray<readonly [string, string]>, line: string): string {
  for (const field of LOG_LEVEL_FIELDS) {
    const pair = metadata.find(([name]) => name === field);
    if (pair) return pair[1];
  }
  const severity = metadata.find(([name]) => name === 'severity_number');
  if (severity && severity[1] !== '') return levelFromOtlpSeverity(severity[1]);
  return levelFromLine(line);
}
