import type { LokiEntrySink } from '@loki-sdk/core/adapter';

const POLL_MILLIS = 5;
/**
 * A Loki that settles nothing for this long while we pause counts as not answering. pino's exit
 * handler waits (10 s at most, then throws) for this worker to read every line of its buffer: a
 * pause held for a Loki that took the connection and never answered (core is not `offline` until
 * the request times out, 10 s by default) held the whole exit and broke its deadline.
 */
export const STALL_MILLIS = 250;

function delay(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis).unref());
}

/** Per client: the settled count at which a pause was given up for want of answers. */
const stalledAt = new WeakMap<LokiEntrySink, number>();

/**
 * Pauses the reading loop while more than the high-water mark waits for a Loki that answers, until
 * half of it is left: the burst then waits in pino's buffer (thread-stream) instead of being dropped
 * from core's. A Loki that does not answer (core's `offline`, or nothing settled for STALL_MILLIS)
 * never pauses anything, until it settles entries again: core's bounded buffer takes over, and the
 * other targets in the worker keep flowing. Returns whether it paused.
 */
export async function waitForRoom(
  client: LokiEntrySink,
  highWaterEntries: number,
  highWaterBytes: number,
): Promise<boolean> {
  // bufferState(), not stats(): this runs per mapped batch, and a whole stats object built that often was the
  // worker's largest survivor of scavenges (its young generation grew to 2 × 16 MiB: ~90 B per held entry).
  let stats = client.bufferState();
  if (stats.bufferedEntries < highWaterEntries && stats.bufferedBytes < highWaterBytes) return false;
  // Entries settled (acknowledged or dropped): what moves while Loki answers.
  let done = stats.settled;
  if (stalledAt.get(client) === done) return false; // still no answer since the last stall
  const lowEntries = Math.floor(highWaterEntries / 2);
  const lowBytes = Math.floor(highWaterBytes / 2);
  let progressAt = Date.now();
  while (
    client.state === 'open' &&
    !stats.offline &&
    (stats.bufferedEntries > lowEntries || stats.bufferedBytes > lowBytes)
  ) {
    await delay(POLL_MILLIS);
    stats = client.bufferState();
    const now = stats.settled;
    if (now !== done) {
      done = now;
      progressAt = Date.now();
    } else if (Date.now() - progressAt >= STALL_MILLIS) {
      stalledAt.set(client, done);
      break;
    }
  }
  return true;
}
