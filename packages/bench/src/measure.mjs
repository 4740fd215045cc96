// What the receiver saw during one run: entries stored (each `i` counted once), requests, bytes.
import { indexOf } from './records.mjs';

export function receiverMeasures(receiver, calls, goAt) {
  const seen = new Uint8Array(calls);
  let unique = 0;
  let stored = 0;
  for (const entry of receiver.entries()) {
    stored++;
    const i = indexOf(entry);
    if (i >= 0 && i < calls && seen[i] === 0) {
      seen[i] = 1;
      unique++;
    }
  }
  let bodyBytes = 0;
  let lastStoredAt;
  let firstStoredAt;
  const statusCounts = {};
  for (const r of receiver.requests) {
    bodyBytes += r.bodyBytes;
    statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
    if (r.entriesStored > 0) {
      if (lastStoredAt === undefined || r.receivedAt > lastStoredAt) lastStoredAt = r.receivedAt;
      if (firstStoredAt === undefined || r.receivedAt < firstStoredAt) firstStoredAt = r.receivedAt;
    }
  }
  const requests = receiver.requests.length;
  const e2eMillis = lastStoredAt === undefined ? undefined : Math.max(1, lastStoredAt - goAt);
  return {
    stored: unique,
    duplicates: stored - unique,
    lost: calls - unique,
    requests,
    bodyBytes,
    statusCounts,
    firstStoredAt,
    lastStoredAt,
    e2eMillis,
    deliveredPerSec: e2eMillis === undefined ? 0 : unique / (e2eMillis / 1000),
    bytesPerEntry: unique === 0 ? undefined : bodyBytes / unique,
    entriesPerRequest: requests === 0 ? undefined : unique / requests,
  };
}
