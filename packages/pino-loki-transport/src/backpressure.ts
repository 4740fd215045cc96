import type { LokiClient } from '@loki-sdk/core';

const POLL_MILLIS = 5;

function delay(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis).unref());
}

/**
 * Pauses the reading loop while more than the high-water mark waits for a Loki that answers, until
 * half of it is left: the burst then waits in pino's buffer (thread-stream) instead of being dropped
 * from core's. A Loki that does not answer (core's `offline`) never pauses anything: core's bounded
 * buffer takes over, and the other targets in the worker keep flowing. Returns whether it paused.
 */
export async function waitForRoom(client: LokiClient, highWaterEntries: number, highWaterBytes: number): Promise<boolean> {
  let stats = client.stats();
  if (stats.bufferedEntries < highWaterEntries && stats.bufferedBytes < highWaterBytes) return false;
  const lowEntries = Math.floor(highWaterEntries / 2);
  const lowBytes = Math.floor(highWaterBytes / 2);
  while (!client.closed && !stats.offline && (stats.bufferedEntries > lowEntries || stats.bufferedBytes > lowBytes)) {
    await delay(POLL_MILLIS);
    stats = client.stats();
  }
  return true;
}
