// docs/benchmarks/chart.svg: hand-written horizontal bars, one panel per key figure (medians).
import { fmtInt } from './report.mjs';
import { SUBJECTS } from './subjects.mjs';

const WIDTH = 960;
const LABEL_W = 300;
const BAR_W = 520;
const ROW_H = 22;
const COLORS = { ours: '#2e7d32', theirs: '#e65100', floor: '#9e9e9e' };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const colorOf = (subject) =>
  SUBJECTS[subject].ours ? COLORS.ours : SUBJECTS[subject].floor ? COLORS.floor : COLORS.theirs;

function panel(y, title, bars, unit, digits = 0) {
  const max = Math.max(1e-9, ...bars.map((b) => b.value ?? 0));
  const out = [`<text x="16" y="${y + 18}" class="title">${esc(title)}</text>`];
  bars.forEach((b, i) => {
    const top = y + 30 + i * ROW_H;
    const w = b.value === undefined ? 0 : Math.max(1, (b.value / max) * BAR_W);
    out.push(`<text x="${LABEL_W - 8}" y="${top + 15}" text-anchor="end">${esc(SUBJECTS[b.subject].title)}</text>`);
    out.push(
      `<rect x="${LABEL_W}" y="${top + 3}" width="${w.toFixed(1)}" height="${ROW_H - 6}" fill="${colorOf(b.subject)}"/>`,
    );
    const text =
      b.value === undefined
        ? `n/a${b.note ? ` — ${b.note}` : ''}`
        : `${digits === 0 ? fmtInt(b.value) : b.value.toFixed(digits)} ${unit}${b.note ? ` — ${b.note}` : ''}`;
    out.push(`<text x="${LABEL_W + w + 6}" y="${top + 15}">${esc(text)}</text>`);
  });
  return { svg: out.join('\n'), height: 30 + bars.length * ROW_H + 18 };
}

export function renderChart(results, meta) {
  const scenario = (id) => results.scenarios.find((s) => s.id === id);
  const bars = (id, key, filter = () => true, note) =>
    (scenario(id)?.rows ?? [])
      .filter((r) => filter(r.subject))
      .map((r) => ({ subject: r.subject, value: r[key]?.median, note: note?.(r) }));
  const shipper = (s) => !SUBJECTS[s].floor;
  const lostNote = (r) => (r.lostMax > 0 ? `lost ${fmtInt(r.lost?.median)} (median)` : undefined);

  const refusedNote = (r) => {
    if (r.bytesPerEntry !== undefined) return undefined;
    const refused = Object.keys(r.statusCounts).filter((k) => k !== '204');
    return `nothing stored${refused.length ? ` (HTTP ${refused.join(', ')})` : ''}`;
  };
  const panels = [
    [
      'Main-thread cost per log call, burst of 200 000 calls (ns/call, lower is better)',
      bars('burst-200k', 'nsPerCall'),
      'ns',
    ],
    [
      'Main thread busy per call until delivered, burst of 200 000 (ns/call, lower is better)',
      bars('burst-200k', 'mainNsPerCall'),
      'ns',
    ],
    [
      'Delivered entries/s, burst of 1 000 000 calls (higher is better)',
      bars('burst-1m', 'deliveredPerSec', shipper, lostNote),
      '/s',
    ],
    [
      'Bytes on the wire per stored entry, burst of 100 000 calls (lower is better)',
      bars('burst-100k', 'bytesPerEntry', shipper, refusedNote),
      'B',
      1,
    ],
    ['Peak RSS while the receiver is down (MB)', bars('outage', 'rssPeakDuringMB', shipper, lostNote), 'MB'],
  ].filter(([, b]) => b.length > 0);

  let y = 56;
  const body = [];
  for (const [title, b, unit, digits] of panels) {
    const p = panel(y, title, b, unit, digits);
    body.push(p.svg);
    y += p.height;
  }
  const legend = [
    ['ours', COLORS.ours],
    ['theirs (npm)', COLORS.theirs],
    ['floor (ships nothing)', COLORS.floor],
  ]
    .map(
      ([t, c], i) =>
        `<rect x="${16 + i * 190}" y="${y + 4}" width="12" height="12" fill="${c}"/><text x="${34 + i * 190}" y="${y + 15}">${esc(t)}</text>`,
    )
    .join('\n');
  const height = y + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<style>.title { font-weight: bold; font-size: 13px; } text { fill: #212121; }</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16" y="24" class="title" font-size="15">loki-sdk vs pino-loki and winston-loki — medians, ${esc(meta.date.slice(0, 10))}</text>
<text x="16" y="42">${esc(`${meta.cpu}, ${meta.cores} cores, ${meta.ramGiB} GiB, Node.js ${meta.node}; receiver on the same machine`)}</text>
${body.join('\n')}
${legend}
</svg>
`;
}
