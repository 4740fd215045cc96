/** Snappy block-format compression (the format Loki expects for protobuf pushes), re-exported for tests. */
import { compressSync } from 'snappy';

/** Compresses bytes with the snappy *block* format (not the framed `sNaPpY` stream format). */
export function compressSnappyBlock(data: Uint8Array): Buffer {
  return compressSync(data);
}
