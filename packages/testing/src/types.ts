import type { IncomingHttpHeaders } from 'node:http';
import type { OtlpConfig } from './otlp-config.js';

/**
 * Validation and size limits of the receiver. Every default equals the Loki 3.4.6 default,
 * except {@link ReceiverLimits.ingestionRateBytesPerSecond}, which is off unless set.
 * Byte limits count UTF-8 bytes.
 */
export interface ReceiverLimits {
  /**
   * `max_global_streams_per_user`: active streams per tenant; a push creating one more is answered 429 for
   * that stream (the others are stored). 0 = off. Default 5000.
   */
  maxGlobalStreamsPerUser: number;
  /**
   * `max_line_size`: a line longer than this many bytes is rejected (per entry, partial 400). 0 = unlimited.
   * Default 262144.
   */
  maxLineBytes: number;
  /**
   * `max_label_names_per_series`: more label names than this fails the stream. `service_name` is not
   * counted. Default 15.
   */
  maxLabelNamesPerSeries: number;
  /** `max_label_name_length` in bytes. Default 1024. */
  maxLabelNameBytes: number;
  /** `max_label_value_length` in bytes. Default 2048. */
  maxLabelValueBytes: number;
  /** `reject_old_samples`. Default true. */
  rejectOldSamples: boolean;
  /** `reject_old_samples_max_age` in milliseconds. Default 7 days (604800000). */
  rejectOldSamplesMaxAgeMillis: number;
  /**
   * `creation_grace_period` in milliseconds: entries newer than now + this are rejected. Default 10 minutes (600000).
   */
  creationGracePeriodMillis: number;
  /** `max_structured_metadata_size`: Σ(name + value bytes) per entry. 0 = unlimited. Default 65536. */
  maxStructuredMetadataBytes: number;
  /** `max_structured_metadata_entries_count`: pairs per entry. 0 = unlimited. Default 128. */
  maxStructuredMetadataEntries: number;
  /**
   * gRPC `grpc_server_max_recv_msg_size` of the ingester: when the protobuf encoding of the accepted part of a
   * request is larger, the push fails with 500 and nothing is stored. 0 = off. Default 4194304.
   */
  maxRecvMsgBytes: number;
  /**
   * `ingestion_burst_size_mb`: a request whose accepted line + structured-metadata bytes exceed this is
   * answered 429 and nothing is stored. 0 = off. Default 6291456 (6 MiB).
   */
  ingestionBurstBytes: number;
  /**
   * `ingestion_rate_mb` as bytes per second: a per-tenant token bucket (capacity = burst). Off when undefined
   * (the default here); real Loki defaults to 4194304 B/s.
   */
  ingestionRateBytesPerSecond: number | undefined;
  /**
   * The ingester's out-of-order window, half of `max_chunk_age` (2h): an entry older than the newest entry of
   * its stream (this push or an earlier one) minus this is rejected with 400 `entry too far behind`, the rest
   * stored. 0 = off. Default 3600000 (1 h).
   */
  outOfOrderWindowMillis: number;
  /**
   * `per_stream_rate_limit` in bytes per second (line + structured-metadata bytes). As with Loki's default
   * stream sharding, a stream's share of a push passes or fails whole: 429, one `Per stream rate limit
   * exceeded …` line per dropped entry, the other streams stored. 0 = off. Default 3145728 (3MB).
   */
  perStreamRateBytesPerSecond: number;
  /**
   * `per_stream_rate_limit_burst`: the bucket's capacity, and the largest share of one push. Default 15728640 (15MB).
   */
  perStreamBurstBytes: number;
  /** `max_entries_limit_per_query`: a larger `limit` in `query_range` gets 400. Default 5000. */
  maxEntriesLimitPerQuery: number;
  /**
   * `shard_streams.desired_rate`: with {@link LokiReceiverOptions.shardStreams} on, a stream whose rate (line +
   * metadata bytes of the last second) plus the push's line bytes exceeds this is split into
   * ceil((rate + push) / this) streams with an added `__stream_shard__` label. 0 = never. Default 1572864 (1536KB).
   */
  shardStreamsDesiredRateBytesPerSecond: number;
}

/** Options of {@link createLokiReceiver}. */
export interface LokiReceiverOptions {
  /** TCP port; 0 (default) picks a free one. `stop()`/`start()` keep the port that was picked. */
  port?: number;
  /** Listen address. Default `'127.0.0.1'`. */
  host?: string;
  /**
   * Loki's `auth_enabled`. Default false: the `X-Scope-OrgID` header is ignored and everything is stored under
   * tenant `fake`. When true, a missing/empty header is answered 401 `no org id` and an invalid tenant ID 400.
   */
  authEnabled?: boolean;
  /**
   * Add `service_name` to every stream that lacks it, as Loki does (`discover_service_name`). Default false here;
   * real Loki defaults to on.
   */
  discoverServiceName?: boolean;
  /**
   * Append the structured-metadata pair `detected_level` to every accepted entry, as Loki does
   * (`discover_log_levels`). Default false here; real Loki defaults to on.
   */
  discoverLogLevels?: boolean;
  /**
   * How structured-metadata values of JSON pushes are stored. `'raw'` (default) reproduces Loki 3.4.6 – 3.5.x, which
   * stores the JSON text between the quotes still escaped (`"a\nb"` is stored as the 4 characters `a\nb`).
   * `'decoded'` stores the unescaped string, as Loki ≥ 3.6 does. Protobuf pushes are unaffected.
   */
  jsonStructuredMetadataValues?: 'raw' | 'decoded';
  /**
   * Be stricter than Loki where Loki lets a client bug through (default false: Loki 3.4.6's behaviour).
   * See the README's list: non-string JSON label values, extra tuple elements, trailing bytes, `__` label
   * names, empty or duplicate structured-metadata names, and every failing stream reported.
   */
  strict?: boolean;
  /**
   * Emulate Loki's rate-based stream sharding (`shard_streams.enabled`, on by default in Loki 3.4): a hot stream's
   * entries are stored under an added `__stream_shard__="0"`, `"1"`, … label. Default false here: streams are
   * stored as pushed. See `limits.shardStreamsDesiredRateBytesPerSecond`.
   */
  shardStreams?: boolean;
  /**
   * Loki's `otlp_config` for `POST /otlp/v1/logs` (one for every tenant): rules that make OTLP attributes index
   * labels, structured metadata or dropped. Default `{}`: Loki's default (its 18 resource attributes are index
   * labels, every other attribute structured metadata). A config Loki refuses to start with throws a TypeError.
   */
  otlpConfig?: OtlpConfig;
  /** Limit overrides; see {@link ReceiverLimits} for the defaults. */
  limits?: Partial<ReceiverLimits>;
}

/** One stored log entry. Objects returned by the receiver are frozen. */
export interface StoredEntry {
  /** Tenant (`fake` when auth is off). */
  tenant: string;
  /** Stream labels after Loki's normalisation (sorted, empty values dropped, `service_name` if discovered). */
  labels: Record<string, string>;
  /** Canonical stream selector, e.g. `{app="x", env="prod"}`. */
  stream: string;
  /** Timestamp in nanoseconds since the Unix epoch. */
  timestampNs: bigint;
  /** The same timestamp as a decimal string. */
  timestamp: string;
  /** The log line. */
  line: string;
  /** Structured metadata after name normalisation (plus `detected_level` when level discovery is on). */
  metadata: Record<string, string>;
}

/** One stored stream with its entries in storage order. */
export interface StoredStream {
  tenant: string;
  labels: Record<string, string>;
  /** Canonical stream selector. */
  stream: string;
  entries: StoredEntry[];
}

/** What the receiver recorded about one request to a push path (Loki push, legacy push or OTLP logs). */
export interface ReceivedRequest {
  /** The route: `/loki/api/v1/push`, `/api/prom/push` or `/otlp/v1/logs`. */
  path?: string;
  /** HTTP status sent; 0 when the connection was reset or hung up without an answer. */
  status: number;
  /**
   * Response body sent (empty for 204). For `/otlp/v1/logs` errors the body is a protobuf `google.rpc.Status`:
   * this is its message text.
   */
  responseBody: string;
  /** Body size on the wire (before any decompression). */
  bodyBytes: number;
  /** Body size after Content-Encoding and snappy decompression (best effort when decoding failed). */
  uncompressedBytes: number;
  /** Raw `Content-Type` header. */
  contentType?: string;
  /** Raw `Content-Encoding` header. */
  contentEncoding?: string;
  /** Resolved tenant, if the request got that far. */
  tenant?: string;
  /** All request headers. */
  headers: IncomingHttpHeaders;
  /** Entries found in the decoded body (0 when it could not be decoded). */
  entriesReceived: number;
  /** Entries actually stored by this request (after validation and de-duplication). */
  entriesStored: number;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
  /** Description of the fault step applied to this request, e.g. `status:503`, `reset`, `delay:50`, `hang:1000`. */
  fault?: string;
}

/**
 * One step of a fault script, consumed by one push request before normal handling:
 * - `number`: answer with that status and body `injected fault\n`;
 * - `{ status, retryAfter?, body? }`: answer with that status, optional `Retry-After` header and body;
 * - `{ delayMillis }`: wait, then handle the request normally;
 * - `'reset'`: destroy the connection without answering;
 * - `{ hangMillis }`: never answer; destroy the connection after that long.
 */
export type FaultStep =
  | number
  | { status: number; retryAfter?: string | number; body?: string }
  | { delayMillis: number }
  | 'reset'
  | { hangMillis: number };

/** A LogQL stream selector such as `{app="x", level=~"err.*"}`, or an object of label equalities. */
export type StreamSelector = string | Record<string, string>;

/** Options of {@link LokiReceiver.entries} and {@link LokiReceiver.streams}. */
export interface EntryQueryOptions {
  /** Only this tenant. Default: all tenants. */
  tenant?: string;
}

/** Options of {@link LokiReceiver.waitForEntries}. */
export interface WaitForEntriesOptions {
  selector?: StreamSelector;
  tenant?: string;
  /** Default 10000. */
  timeoutMillis?: number;
}

/** Counters since start or the last {@link LokiReceiver.clear}. */
export interface ReceiverStats {
  requests: number;
  bodyBytes: number;
  entriesStored: number;
  statusCounts: Record<number, number>;
}

/** A running Loki-compatible receiver. */
export interface LokiReceiver {
  /** Base URL `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  /** `url + '/loki/api/v1/push'`. */
  readonly pushUrl: string;
  /** `url + '/otlp/v1/logs'`, Loki's OTLP/HTTP logs endpoint (an OTLP exporter's endpoint is `url + '/otlp'`). */
  readonly otlpLogsUrl: string;
  readonly port: number;
  /** Stored entries in storage order, optionally filtered by stream selector and tenant. */
  entries(selector?: StreamSelector, options?: EntryQueryOptions): StoredEntry[];
  /** Stored streams in creation order, optionally filtered. */
  streams(selector?: StreamSelector, options?: EntryQueryOptions): StoredStream[];
  /**
   * Resolves with all matching entries once at least `count` are stored; rejects after `timeoutMillis`
   * (default 10000) with an error that says how many arrived.
   */
  waitForEntries(count: number, options?: WaitForEntriesOptions): Promise<StoredEntry[]>;
  /** Requests to the push path, in the order they were answered. */
  readonly requests: readonly ReceivedRequest[];
  /** Resolves once at least `count` push requests were recorded. */
  waitForRequests(count: number, options?: { timeoutMillis?: number }): Promise<ReceivedRequest[]>;
  stats(): ReceiverStats;
  /** Queue fault steps; each push request consumes one. */
  failNext(...steps: FaultStep[]): void;
  /** Delay every response by this many milliseconds (0 = off). */
  setResponseDelay(millis: number): void;
  /** Go down: stop listening and destroy open connections. */
  stop(): Promise<void>;
  /** Come back up on the same port. */
  start(): Promise<void>;
  /** Forget stored entries, recorded requests, stats and rate-limiter state. */
  clear(): void;
  /** Shut down for good. Pending waits reject. */
  close(): Promise<void>;
}
