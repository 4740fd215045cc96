/** The decoded, not yet validated content of a push request (shared by the JSON and protobuf decoders). */

/** One entry as it arrived. */
export interface RawPushEntry {
  /** Nanoseconds since the epoch. */
  timestampNs: bigint;
  line: string;
  /** UTF-8 byte length of the line as it was sent. */
  lineBytes: number;
  /** Structured metadata pairs in the order sent (duplicates kept). */
  metadata: Array<[string, string]>;
}

/** One stream as it arrived: the label selector text plus its entries. */
export interface RawPushStream {
  /** Label selector text, e.g. `{app="x"}` (for JSON: rendered from the `stream` object). */
  labels: string;
  entries: RawPushEntry[];
}
