import type { LokiClientImpl } from './client-impl.js';
import type { Compression, LokiClientStats } from './client-types.js';
import type { SinkBufferState } from './entry-sink.js';
import type { ResolvedOptions } from './options.js';
import { snappyCompressor } from './snappy-compress.js';

/** What `stats()` reports: the client's counters, the mapper's, the disk buffer's, in one shape. */
export function statsOf(client: LokiClientImpl): LokiClientStats {
  const droppedByReason = { ...client.dropped };
  const entriesDropped = droppedTotal(client);
  return {
    ...client.counters,
    entriesDropped,
    droppedByReason,
    ...client.mapper.counters,
    // Cardinality guard: label name -> distinct values counted when it was demoted.
    demotedLabels: Object.fromEntries(client.mapper.guard?.demoted ?? []),
    offline: client.reachability === 'offline',
    ...(client.disk?.counters ?? {
      diskEntriesWritten: 0,
      diskEntriesReplayed: 0,
      diskEntriesDropped: 0,
      diskCorruptRecords: 0,
    }),
    compression: compressionOf(client.options.encoding, client.options.protocol),
  };
}

/** stats()'s buffer fields, as `bufferState()` answers them: no stats object built. */
export function bufferStateOf(client: LokiClientImpl): SinkBufferState {
  const { bufferedEntries, bufferedBytes, entriesSent } = client.counters;
  return {
    bufferedEntries,
    bufferedBytes,
    settled: entriesSent + droppedTotal(client),
    offline: client.reachability === 'offline',
  };
}

/** stats().entriesDropped: every reason's count. */
function droppedTotal(client: LokiClientImpl): number {
  let total = 0;
  for (const n of Object.values(client.dropped)) total += n;
  return total;
}

function compressionOf(encoding: ResolvedOptions['encoding'], protocol: ResolvedOptions['protocol']): Compression {
  if (encoding === 'protobuf') return protocol === 'otlp' ? 'gzip' : snappyCompressor().implementation;
  return encoding === 'json-gzip' ? 'gzip' : 'none';
}
