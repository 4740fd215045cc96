// Medians per scenario and subject, the targets, and the tables (console and docs/benchmarks/results.md).
import { summary } from './stats.mjs';
import { SUBJECTS } from './subjects.mjs';

/** Ours -> theirs, for the ours/theirs ratios. */
export const RIVAL = { 'pino-ours': 'pino-loki', 'winston-ours': 'winston-loki' };
/** Each subject's floor: the same logger, shipping nothing. */
export const FLOOR = { pino: 'pino-null', winston: 'winston-null' };

const perRun = {
  nsPerCall: (r) => (r.child === undefined ? undefined : r.child.loopNs / r.child.calls),
  mainNsPerCall: (r) => (r.child === undefined ? undefined : (r.child.eluAllActiveMs * 1e6) / r.child.calls),
  cpuNsPerCall: (r) => (r.child?.cpuMs === undefined ? undefined : (r.child.cpuMs * 1e6) / r.child.calls),
  deliveredPerSec: (r) => r.receiver.deliveredPerSec,
  lost: (r) => r.receiver.lost,
  bytesPerEntry: (r) => r.receiver.bytesPerEntry,
  requests: (r) => r.receiver.requests,
  entriesPerRequest: (r) => r.receiver.entriesPerRequest,
  rssPeakMB: (r) => r.child?.rssPeakMB,
  eldP99Ms: (r) => r.child?.eldP99Ms,
  eldMaxMs: (r) => r.child?.eldMaxMs,
  lagMillis: (r) => r.receiver.lagMillis,
  receiverCpuMs: (r) => r.receiverCpuMs,
  rssBeforeMB: (r) => r.outage?.rssBeforeMB,
  rssPeakDuringMB: (r) => r.outage?.rssPeakDuringMB,
  rssEndOfOutageMB: (r) => r.outage?.rssEndOfOutageMB,
  recoveryMillis: (r) => r.outage?.recoveryMillis,
  storedAfterRestart: (r) => r.outage?.storedAfterRestart,
};

export function aggregate(scenarios, runs) {
  const out = scenarios.map((s) => {
    const rows = s.subjects.map((subject) => {
      const rs = runs.filter((r) => r.scenario === s.id && r.subject === subject);
      const row = { subject, runs: rs.length };
      for (const [key, f] of Object.entries(perRun)) row[key] = summary(rs.map(f));
      row.lostMax = rs.length === 0 ? undefined : Math.max(...rs.map((r) => r.receiver.lost));
      row.outcomes = [...new Set(rs.map((r) => r.outcome))];
      row.statusCounts = {};
      for (const r of rs)
        for (const [k, v] of Object.entries(r.receiver.statusCounts))
          row.statusCounts[k] = (row.statusCounts[k] ?? 0) + v;
      row.stderr = rs.map((r) => r.stderrTail).find((t) => t !== undefined);
      return row;
    });
    return { id: s.id, kind: s.kind, title: s.title, params: s.params, reps: s.reps, rows };
  });
  return { scenarios: out, targets: targets(out, runs) };
}

const rowOf = (results, scenarioId, subject) =>
  results.find((s) => s.id === scenarioId)?.rows.find((r) => r.subject === subject);
const med = (row, key) => row?.[key]?.median;

function targets(results, runs) {
  const list = [];
  const add = (name, detail, met, value) => list.push({ name, detail, met, value });

  {
    const ours = med(rowOf(results, 'burst-200k', 'pino-ours'), 'nsPerCall');
    const floor = med(rowOf(results, 'burst-200k', 'pino-null'), 'nsPerCall');
    if (ours !== undefined && floor !== undefined) {
      const ratio = ours / floor;
      add(
        'pino transport: main-thread cost within 10% of pino → /dev/null (200 000-call burst)',
        `${fmtInt(ours)} vs ${fmtInt(floor)} ns/call`,
        ratio <= 1.1,
        `${fmtRatio(ratio)} (limit 1.10×)`,
      );
    }
  }
  {
    const ours = med(rowOf(results, 'burst-200k', 'winston-ours'), 'nsPerCall');
    const theirs = med(rowOf(results, 'burst-200k', 'winston-loki'), 'nsPerCall');
    const floor = med(rowOf(results, 'burst-200k', 'winston-null'), 'nsPerCall');
    if (ours !== undefined && theirs !== undefined) {
      const ratio = ours / theirs;
      // winston alone may already cost more than ⅓ of winston-loki's call: then no transport can pass this row.
      const floorShare =
        floor === undefined
          ? ''
          : `; winston alone: ${fmtRatio(floor / theirs)}${floor / theirs > 1 / 3 ? ', so unreachable for any transport' : ''}`;
      add(
        "winston transport: main-thread cost at most ⅓ of winston-loki's (200 000-call burst)",
        `${fmtInt(ours)} vs ${fmtInt(theirs)} ns/call`,
        ratio <= 1 / 3,
        `${fmtRatio(ratio)} (limit 0.33×${floorShare})`,
      );
      if (floor !== undefined && theirs > floor) {
        // winston alone (its default json format included) costs more than ⅓ of winston-loki's total,
        // so the same test is also shown on the transports' own share: the cost above that floor.
        const ownRatio = Math.max(0, ours - floor) / (theirs - floor);
        add(
          "winston transport, own share: cost above winston's floor at most ⅓ of winston-loki's",
          `${fmtInt(ours - floor)} vs ${fmtInt(theirs - floor)} ns/call above ${fmtInt(floor)}`,
          ownRatio <= 1 / 3,
          `${fmtRatio(ownRatio)} (limit 0.33×)`,
        );
      }
    }
  }
  for (const subject of ['pino-ours', 'winston-ours', 'core']) {
    for (const id of ['burst-100k', 'burst-1m']) {
      const v = med(rowOf(results, id, subject), 'deliveredPerSec');
      if (v === undefined) continue;
      add(
        `delivered ≥ 100 000 entries/s, default encoding: ${subject} (${id})`,
        `${fmtInt(v)} entries/s`,
        v >= 100_000,
        fmtInt(v),
      );
    }
  }
  const pinoLoki = med(rowOf(results, 'burst-100k', 'pino-loki'), 'bytesPerEntry');
  for (const subject of ['pino-ours', 'winston-ours', 'core']) {
    const v = med(rowOf(results, 'burst-100k', subject), 'bytesPerEntry');
    if (v === undefined || pinoLoki === undefined) continue;
    const ratio = v / pinoLoki;
    add(
      `bytes per entry ≤ ¼ of pino-loki's: ${subject} (burst-100k)`,
      `${v.toFixed(1)} vs ${pinoLoki.toFixed(1)} B/entry`,
      ratio <= 0.25,
      `${fmtRatio(ratio)} (limit 0.25×)`,
    );
  }
  for (const subject of Object.keys(SUBJECTS).filter((s) => SUBJECTS[s].ours)) {
    const rs = runs.filter((r) => r.subject === subject);
    if (rs.length === 0) continue;
    const bad = rs.filter((r) => r.receiver.lost > 0);
    const worst = bad.reduce((a, r) => (r.receiver.lost > (a?.receiver.lost ?? -1) ? r : a), undefined);
    add(
      `zero entries lost in every scenario: ${subject}`,
      bad.length === 0
        ? `${rs.length} runs, none lost`
        : `${bad.length} of ${rs.length} runs lost entries (worst: ${fmtInt(worst.receiver.lost)} in ${worst.scenario})`,
      bad.length === 0,
      bad.length === 0 ? '0 lost' : `${fmtInt(worst.receiver.lost)} lost`,
    );
  }
  return list;
}

// ------------------------------------------------------------------------------------ formatting

export function fmtInt(v) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–';
  return Math.round(v).toLocaleString('en-US');
}
function fmtNum(v, digits) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–';
  return v.toFixed(digits);
}
export function fmtRatio(v) {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return `${v < 10 ? v.toFixed(2) : v.toFixed(0)}×`;
}
/** median, and [min–max] when there was more than one run. */
function spread(s, fmt) {
  if (s === undefined) return '–';
  if (s.n < 2 || fmt(s.min) === fmt(s.max)) return fmt(s.median);
  return `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;
}
const ints = (s) => spread(s, fmtInt);
const dec1 = (s) => spread(s, (v) => fmtNum(v, 1));
const secs = (s) => spread(s, (v) => fmtNum(v / 1000, 1));

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

function name(subject) {
  const s = SUBJECTS[subject];
  return s.ours ? `**${subject}**` : s.floor ? `${subject} (floor)` : subject;
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function scenarioTable(results, s) {
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
        ratioCell(results, s, row),
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

function targetsTable(targets) {
  return table(
    ['target', 'measured', 'value', 'result'],
    targets.map((t) => [t.name, t.detail, t.value, t.met ? '**MET**' : '**NOT MET**']),
  );
}

function statusNotes(s) {
  const notes = [];
  for (const row of s.rows) {
    const statuses = Object.entries(row.statusCounts).filter(([k]) => k !== '204');
    if (statuses.length > 0)
      notes.push(`${row.subject}: HTTP ${statuses.map(([k, v]) => `${k} ×${v}`).join(', ')} (over all runs)`);
    const odd = row.outcomes.filter((o) => o !== 'finish done');
    if (odd.length > 0) notes.push(`${row.subject}: ${odd.join('; ')}`);
  }
  return notes;
}

export function renderConsole(results, meta) {
  const parts = [`# Results (medians of the runs; [min–max])  —  ${meta.cpu}, ${meta.cores} cores, node ${meta.node}`];
  for (const s of results.scenarios) {
    parts.push(`\n## ${s.title} — ${s.reps} run${s.reps === 1 ? '' : 's'} per subject\n`);
    parts.push(scenarioTable(results, s));
    for (const n of statusNotes(s)) parts.push(`- ${n}`);
  }
  parts.push('\n## Targets\n');
  parts.push(targetsTable(results.targets));
  return parts.join('\n');
}

export function renderMarkdown(results, meta) {
  const subjects = Object.entries(meta.subjects)
    .map(([k, v]) => `| ${name(k)} | ${v.config.replace(/\|/g, '\\|')} |`)
    .join('\n');
  const parts = [
    '# loki-sdk benchmarks',
    '',
    `Generated by \`pnpm bench\` (mode: ${meta.mode}${meta.limitsOff ? ', receiver limits off' : ''}) on ${meta.date}, in ${Math.round(meta.elapsedSeconds / 60)} min.`,
    '',
    `**Machine:** ${meta.cpu}, ${meta.cores} cores, ${meta.ramGiB} GiB RAM, ${meta.os}, Node.js ${meta.node}. The receiver ran in the bench's own process on the same ${meta.cores} cores, on a machine that may be shared with other work, so figures are medians of interleaved runs; [min–max] shows the spread.`,
    '',
    '![chart](chart.svg)',
    '',
    "What profiling found where a target is missed, and how the competitors behave: [findings.md](findings.md). The same scenarios with the receiver's Loki size limits switched off: [results-limits-off.md](results-limits-off.md).",
    '',
    '## Targets',
    '',
    targetsTable(results.targets),
    '',
  ];
  for (const s of results.scenarios) {
    parts.push(
      `## ${s.title}`,
      '',
      `${s.reps} run${s.reps === 1 ? '' : 's'} per subject.`,
      '',
      scenarioTable(results, s),
      '',
    );
    const notes = statusNotes(s);
    if (notes.length > 0) parts.push(...notes.map((n) => `- ${n}`), '');
  }
  parts.push(
    '## How it is measured',
    '',
    '- Every run is a fresh child process (`src/scenario.mjs <subject> <scenario> <receiver-url>`); the receiver (`createLokiReceiver()` from `@loki-sdk/testing`, Loki 3.4.6 limits' +
      (meta.limitsOff
        ? ', with the 6 MiB ingestion burst and the 4 MiB gRPC message limit switched off'
        : ', i.e. a 6 MiB ingestion burst and a 4 MiB gRPC message limit per push, as a default Loki') +
      ') runs in the parent, a new one per run. Subjects alternate within each repetition (A B C D, A B C D, …).',
    '- Every subject logs the same record: `{ i, user: "u" + (i % 100), label_route: <one of 4 routes> }` with the message `request served` at level info (pino: `logger.info(fields, msg)`, winston: `logger.info(msg, fields)`, core: `client.push({ level, message, ...fields })`).',
    '- **log call ns/call**: wall time inside the logging loops only (`process.hrtime.bigint()` around each chunk of calls), divided by the calls. A burst is produced as fast as possible in chunks of 1 000 calls with a `setImmediate` between chunks, as a busy app would; the steady scenario logs every 5 ms timer tick what is due.',
    "- **main thread ns/call, all**: the main thread's busy time (`performance.eventLoopUtilization()`), from the first call until the subject's finish resolved (everything delivered), divided by the calls. It adds what a subject does later on the main thread (batching, encoding, HTTP); work in worker threads (pino's transport worker, the winston transport's delivery worker) is not in it.",
    "- **process CPU ns/call, all threads**: `process.cpuUsage()` of the subject's process (user + system, every thread: main, workers, GC) over the same span, divided by the calls: the total cost of shipping, wherever it runs. The receiver, in the parent, is not in it.",
    '- **delivered entries/s**: distinct entries stored by the receiver ÷ (arrival of the last request that stored entries − first call). Entries are told apart by their `i`; **lost** = calls − distinct entries stored.',
    '- **requests**, **bytes/entry**: every push request the receiver saw (including refused ones) and its body bytes on the wire (after compression, without HTTP headers), per stored entry.',
    "- **event-loop delay**: `monitorEventLoopDelay({ resolution: 10 })` while logging. **RSS**: `process.memoryUsage.rss()` sampled every 100 ms in the child (pino's worker thread is in the same process).",
    '- Outage: all shippers run at once, each against its own receiver; the receivers stop (connections refused) after 5 s and start again on the same port after the outage; logging goes on 5 s more, then each subject finishes.',
    '- Each subject finishes the way its documentation says to (below), within 60 s (90 s after an outage); every child is killed at a deadline and then recorded as "did not finish".',
    '',
    '### Subjects and their configuration',
    '',
    '| subject | configuration |',
    '| --- | --- |',
    subjects,
    '',
    'Raw runs: [results.json](results.json). Re-run: `pnpm bench` (default), `pnpm bench -- --quick`, `pnpm bench -- --full`.',
    '',
  );
  return parts.join('\n');
}
