import type { LokiClientImpl } from './client-impl.js';
import type { Compression, LokiClientStats } from './client-types.js';
import type { ResolvedOptions } from './options.js';
import { snappyCompressor } from './snappy-compress.js';

/** What `stats()` reports: the client's counters, the mapper's, the disk buffer's, in one shape. */
export function statsOf(client: LokiClientImpl): LokiClientStats {
  const droppedByReason = { ...client.dropped };
  const entriesDropped = Object.values(droppedByReason).reduce((a, b) => a + b, 0);
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

function compressionOf(encoding: ResolvedOptions['encoding'], protocol: ResolvedOptions['protocol']): Compression {
  if (encoding === 'protobuf') return protocol === 'otlp' ? 'gzip' : snappyCompressor().implementation;
  return encoding === 'json-gzip' ? 'gzip' : 'none';
}
