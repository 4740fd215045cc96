import diagnosticsChannel from 'node:diagnostics_channel';
import type { DropReason } from './client-types.js';

/**
 * `node:diagnostics_channel` channels for APM tools and the metrics integration (metrics.ts). A message is
 * built only while the channel has subscribers, so an app that listens to none pays one boolean per event.
 * They carry the client object that published them (`client`), never credentials: `url` is redacted.
 * Workers (pino's, winston's) publish in their own thread: subscribe there, or use `stats()`.
 */
export const DIAGNOSTICS_CHANNELS = Object.freeze({
  /** A push request Loki acknowledged (2xx). */
  batchSent: 'loki-sdk:batch-sent',
  /** A push request that failed: `outcome` says whether it is retried (`retry`) or given up. */
  batchFailed: 'loki-sdk:batch-failed',
  /** Entries dropped, with the reason (as in `stats().droppedByReason`). */
  entriesDropped: 'loki-sdk:entries-dropped',
  /** Loki became unreachable: entries wait in the offline buffer. */
  offline: 'loki-sdk:offline',
  /** Loki answered again after being unreachable. */
  online: 'loki-sdk:online',
});

/** `loki-sdk:batch-sent` and `loki-sdk:batch-failed`. */
export interface BatchEvent {
  client: object;
  /** The push URL, credentials removed. */
  url: string;
  entries: number;
  /** Bytes of the request body (after compression). */
  bytes: number;
  /** 1 for the first try of a batch, 2 for its first retry... */
  attempt: number;
  /** HTTP status, or undefined when no answer came (network error, timeout). */
  status: number | undefined;
  outcome: 'success' | 'retry' | 'reject' | 'blocked';
  durationMillis: number;
}

/** `loki-sdk:entries-dropped`. */
export interface DroppedEvent {
  client: object;
  reason: DropReason;
  entries: number;
}

/** `loki-sdk:offline` and `loki-sdk:online`. */
export interface OfflineEvent {
  client: object;
  url: string;
}

const batchSent = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.batchSent);
const batchFailed = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.batchFailed);
const entriesDropped = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.entriesDropped);
const offline = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.offline);
const online = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.online);

/** Whether anyone listens for requests: the sender then notes each request's start time. */
export function requestsObserved(): boolean {
  return batchSent.hasSubscribers || batchFailed.hasSubscribers;
}

export function publishBatch(event: () => BatchEvent, success: boolean): void {
  const channel = success ? batchSent : batchFailed;
  if (channel.hasSubscribers) safePublish(channel, event);
}

export function publishDropped(client: object, reason: DropReason, entries: number): void {
  if (entriesDropped.hasSubscribers && entries > 0) safePublish(entriesDropped, () => ({ client, reason, entries }));
}

export function publishOffline(client: object, url: string, isOffline: boolean): void {
  const channel = isOffline ? offline : online;
  if (channel.hasSubscribers) safePublish(channel, () => ({ client, url }));
}

function safePublish(channel: diagnosticsChannel.Channel, message: () => object): void {
  try {
    channel.publish(message());
  } catch {
    // A subscriber that throws must not cost the app or the delivery (Node reports it on the next tick).
  }
}
