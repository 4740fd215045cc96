// The markdown tables: one per scenario (by kind: burst, steady, outage), the targets, and the notes on
// HTTP statuses and outcomes.
import { med } from './row-lookup.mjs';
import { dec1, fmtInt, fmtRatio, ints, secs } from './figures.mjs';
import { SUBJECTS } from './subjects.mjs';

/** Ours -> theirs, for the ours/theirs ratios. */
export const RIVAL = { 'pino-ours': 'pino-loki', 'pino-ours-otlp': 'pino-otel', 'winston-ours': 'winston-loki' };
/** Each subject's floor: the same logger, shipping nothing. */
export const FLOOR = { pino: 'pino-null', winston: 'winston-null' };
function lostCell(row) {
  if (row.lost === undefined) return '–';
  if (row.lostMax === 0) return '0';
  return row.lost.median === row.lostMax
    ? fmtInt(row.lostMax)
    : `${fmtInt(row.lost.median)} (max ${fmtInt(row.lostMax)})`;
}

function ratioCell(results, scenario, row) {
  const rival = RIVAL[row.subject];
  if (rival === undefined) return '';
  const other = scenario.rows.find((r) => r.subject === rival);
  if (other === undefined) return '';
  const parts = [];
  const r = (key, label) => {
    const a = med(row, key);
    const b = med(other, key);
    if (a !== undefined && b !== undefined && b > 0) parts.push(`${label} ${fmtRatio(a / b)}`);
  };
  r('nsPerCall', 'call');
  r('mainNsPerCall', 'main');
  if (scenario.kind !== 'outage') r('cpuNsPerCall', 'CPU');
  if (scenario.kind !== 'outage') {
    const a = med(row, 'deliveredPerSec');
    const b = med(other, 'deliveredPerSec');
    if (a !== undefined && b !== undefined)
      parts.push(b > 0 ? `entries/s ${fmtRatio(a / b)}` : 'entries/s ∞ (theirs 0)');
    r('bytesPerEntry', 'bytes');
  }
  if (scenario.kind === 'outage') r('rssPeakDuringMB', 'RSS');
  return parts.join(', ') + ` vs ${rival}`;
}

function floorCell(scenario, row) {
  const family = SUBJECTS[row.subject].family;
  const floor = FLOOR[family];
  if (floor === undefined || floor === row.subject) return '';
  const f = scenario.rows.find((r) => r.subject === floor);
  const a = med(row, 'nsPerCall');
  const b = med(f, 'nsPerCall');
  return a !== undefined && b !== undefined ? fmtRatio(a / b) : '';
}

export function name(subject) {
  const s = SUBJECTS[subject];
  return s.ours ? `**${subject}**` : s.floor ? `${subject} (floor)` : subject;
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function scenarioTable(results, s) {
  const shipper = (row) => !SUBJECTS[row.subject].floor;
  if (s.kind === 'burst') {
    return table(
      [
        'subject',
        'log call ns/call',
        '× floor',
        'main thread ns/call, all',
        'process CPU ns/call, all threads',
        'delivered entries/s',
        'lost',
        'requests',
        'bytes/entry',
        'peak RSS MB',
        'GC ns/call, main thread',
        'ours/theirs',
      ],
      s.rows.map((row) => [
        name(row.subject),
        ints(row.nsPerCall),
        floorCell(s, row),
        ints(row.mainNsPerCall),
        ints(row.cpuNsPerCall),
        shipper(row) ? ints(row.deliveredPerSec) : '',
        shipper(row) ? lostCell(row) : '',
        shipper(row) ? ints(row.requests) : '',
        shipper(row) ? dec1(row.bytesPerEntry) : '',
        ints(row.rssPeakMB),
        ints(row.gcNsPerCall),
        ratioCell(results, s, row),
      ]),
    );
  }
  if (s.kind === 'held') {
    return table(
      ['subject', 'entries held', 'RSS growth B per held entry', 'line + metadata B per entry (as core counts)'],
      s.rows.map((row) => [
        name(row.subject),
        ints(row.heldEntries),
        ints(row.rssPerHeldEntry),
        ints(row.bytesPerHeldEntry),
      ]),
    );
  }
  if (s.kind === 'steady') {
    return table(
      [
        'subject',
        'log call ns/call',
        'main thread ns/call, all',
        'process CPU ns/call, all threads',
        'event-loop delay p99 ms',
        'max ms',
        'delivered entries/s',
        'last entry stored after last call, ms',
        'lost',
        'bytes/entry',
        'peak RSS MB',
        'ours/theirs',
      ],
      s.rows.map((row) => [
        name(row.subject),
        ints(row.nsPerCall),
        ints(row.mainNsPerCall),
        ints(row.cpuNsPerCall),
        dec1(row.eldP99Ms),
        dec1(row.eldMaxMs),
        shipper(row) ? ints(row.deliveredPerSec) : '',
        shipper(row) ? ints(row.lagMillis) : '',
        shipper(row) ? lostCell(row) : '',
        shipper(row) ? dec1(row.bytesPerEntry) : '',
        ints(row.rssPeakMB),
        ratioCell(results, s, row),
      ]),
    );
  }
  return table(
    [
      'subject',
      'RSS before MB',
      'RSS peak during outage MB',
      'RSS at end of outage MB',
      'peak RSS MB (whole run)',
      'stored after restart',
      'last entry stored, s after restart',
      'lost',
      'outcome',
      'ours/theirs',
    ],
    s.rows.map((row) => [
      name(row.subject),
      ints(row.rssBeforeMB),
      ints(row.rssPeakDuringMB),
      ints(row.rssEndOfOutageMB),
      ints(row.rssPeakMB),
      ints(row.storedAfterRestart),
      secs(row.recoveryMillis),
      lostCell(row),
      row.outcomes.join('; '),
      ratioCell(results, s, row),
    ]),
  );
}

export function targetsTable(targets) {
  return table(
    ['target', 'measured', 'value', 'result'],
    targets.map((t) => [t.name, t.detail, t.value, t.met ? '**MET**' : '**NOT MET**']),
  );
}

export function statusNotes(s) {
  const notes = [];
  for (const row of s.rows) {
    const statuses = Object.entries(row.statusCounts).filter(([k]) => k !== '204');
    if (statuses.length > 0)
      notes.push(`${row.subject}: HTTP ${statuses.map(([k, v]) => `${k} ×${v}`).join(', ')} (over all runs)`);
    const odd = row.outcomes.filter((o) => o !== 'finish done' && o !== 'finish not asked');
    if (odd.length > 0) notes.push(`${row.subject}: ${odd.join('; ')}`);
  }
  return notes;
}
