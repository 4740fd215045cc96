// The targets the bench checks (main-thread cost, throughput, bytes per entry, nothing lost), met or not.
import { med, rowOf } from './row-lookup.mjs';
import { fmtInt, fmtRatio } from './figures.mjs';
import { SUBJECTS } from './subjects.mjs';

export function targets(results, runs) {
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
    const rss = med(rowOf(results, 'held-300k', subject), 'rssPerHeldEntry');
    const counted = med(rowOf(results, 'held-300k', subject), 'bytesPerHeldEntry');
    if (rss === undefined || counted === undefined) continue;
    add(
      `a held entry costs at most its line + metadata bytes + 64 B: ${subject} (Loki down, 300 000 entries)`,
      `${fmtInt(rss)} B of RSS per entry, ${fmtInt(counted)} B counted`,
      rss <= counted + 64,
      `+${fmtInt(rss - counted)} B (limit +64 B)`,
    );
  }
  // Memory and CPU of holding entries as bytes (the compact buffer's targets).
  const fileRss = med(rowOf(results, 'burst-200k', 'pino-file'), 'rssPeakMB');
  for (const subject of ['pino-ours', 'winston-ours']) {
    const rss = med(rowOf(results, 'burst-200k', subject), 'rssPeakMB');
    if (rss === undefined || fileRss === undefined) continue;
    add(
      `peak RSS at most 1.5× pino → file's: ${subject} (burst-200k)`,
      `${fmtInt(rss)} vs ${fmtInt(fileRss)} MB`,
      rss <= fileRss * 1.5,
      `${fmtRatio(rss / fileRss)} (limit 1.50×)`,
    );
  }
  for (const subject of ['pino-ours', 'winston-ours', 'core']) {
    const rss = med(rowOf(results, 'burst-1m', subject), 'rssPeakMB');
    if (rss === undefined) continue;
    add(`peak RSS at most 250 MB: ${subject} (burst-1m)`, `${fmtInt(rss)} MB`, rss <= 250, `${fmtInt(rss)} MB`);
  }
  const cpu = (subject) => med(rowOf(results, 'burst-200k', subject), 'cpuNsPerCall');
  const cpuTargets = [
    ['pino-ours', 'pino → file', cpu('pino-file'), 2],
    ['winston-ours', 'winston-loki', cpu('winston-loki'), 0.6],
  ];
  for (const [subject, versus, base, limit] of cpuTargets) {
    const v = cpu(subject);
    if (v === undefined || base === undefined) continue;
    add(
      `process CPU per call (all threads) at most ${limit}× ${versus}'s: ${subject} (burst-200k)`,
      `${fmtInt(v)} vs ${fmtInt(base)} ns/call`,
      v <= base * limit,
      `${fmtRatio(v / base)} (limit ${limit.toFixed(2)}×)`,
    );
  }
  {
    const v = cpu('core');
    if (v !== undefined) {
      add(
        'process CPU per call (all threads) at most 2 µs: core (burst-200k)',
        `${fmtInt(v)} ns/call`,
        v <= 2000,
        `${fmtInt(v)} ns`,
      );
    }
  }
  for (const subject of Object.keys(SUBJECTS).filter((s) => SUBJECTS[s].ours)) {
    // Held entries are never delivered (nothing listens): not a loss.
    const rs = runs.filter((r) => r.subject === subject && r.scenarioKind !== 'held');
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
