/**
 * The part of Loki's push path after decoding (pkg/distributor/distributor.go `Push`), in Loki's order:
 * service-name discovery, empty-request check (422), per-stream label validation, per-entry validation,
 * structured-metadata sanitising, `detected_level`, tenant rate limit (429, nothing stored), the ingester's
 * gRPC size limit (500, nothing stored), storage with de-duplication, and the partial-accept 400.
 */
import { formatLabelPairs } from './label-format.js';
import { DETECTED_LEVEL, detectLogLevelWithoutLabels, levelFromLabels } from './log-level.js';
import { forwardedPushRequestSize } from './protobuf-encoder.js';
import type { Ingester } from './ingester.js';
import type { DecodedPush } from './push-decoder.js';
import type { TenantRateLimiter } from './rate-limiter.js';
import type { StreamSharder } from './stream-sharder.js';
import { addServiceName } from './service-name.js';
import type { EntryStore, NewEntry } from './store.js';
import { normalizeStructuredMetadataName, sanitizeStructuredMetadataValue } from './structured-metadata.js';
import type { ReceiverLimits } from './types.js';
import {
  entryTimeBounds,
  groupErrors,
  structuredMetadataBytes,
  validateEntry,
  validateStreamLabels,
} from './validator.js';

/** Everything the processor needs besides the decoded request. */
export interface PushContext {
  tenant: string;
  limits: ReceiverLimits;
  discoverServiceName: boolean;
  discoverLogLevels: boolean;
  /** The receiver's stricter rules (see the README). */
  strict: boolean;
  store: EntryStore;
  ingester: Ingester;
  rateLimiter: TenantRateLimiter;
  /** Set when stream sharding is emulated. */
  sharder: StreamSharder | undefined;
  nowMs: number;
}

/** The answer to a push. */
export interface PushResult {
  status: number;
  /** Message without the trailing newline; empty for 204. */
  message: string;
  entriesStored: number;
}

interface AcceptedEntry extends NewEntry {
  pairs: Array<[string, string]>;
  lineBytes: number;
  /** Line + structured-metadata bytes, `detected_level` excluded. */
  bytes: number;
}

interface AcceptedStream {
  labels: Record<string, string>;
  stream: string;
  entries: AcceptedEntry[];
  replacementCharInLabels: boolean;
}

const NO_NAMES: readonly string[] = [];

/** Runs validation, limits and storage for a decoded push. */
export function processPush(decoded: DecodedPush, ctx: PushContext): PushResult {
  const { limits } = ctx;
  const streams = decoded.streams.map((s) => ({
    labels: ctx.discoverServiceName ? addServiceName(s.labels) : s.labels,
    entries: s.entries,
    replacementCharInLabels: s.replacementCharInLabels,
    labelError: s.labelError,
  }));
  if (streams.length === 0) {
    return { status: 422, message: 'error at least one valid stream is required for ingestion', entriesStored: 0 };
  }

  const bounds = entryTimeBounds(BigInt(ctx.nowMs) * 1_000_000n, limits);
  const errors: string[] = [];
  let accepted: AcceptedStream[] = [];
  let acceptedLines = 0;
  let acceptedBytes = 0;

  for (const s of streams) {
    if (s.entries.length === 0) continue;
    if (s.labelError !== undefined) {
      errors.push(s.labelError);
      continue;
    }
    const stream = formatLabelPairs(s.labels);
    const labelError = validateStreamLabels(s.labels, stream, limits, ctx.strict);
    if (labelError !== undefined) {
      errors.push(labelError);
      continue;
    }
    const entries: AcceptedEntry[] = [];
    // A level label decides `detected_level` for every entry of the stream.
    const streamLevel = ctx.discoverLogLevels ? levelFromLabels(s.labels) : undefined;
    for (const entry of s.entries) {
      const names =
        entry.metadata.length === 0 ? NO_NAMES : entry.metadata.map(([name]) => normalizeStructuredMetadataName(name));
      const entryError = validateEntry(entry, names, stream, bounds, limits, ctx.strict);
      if (entryError !== undefined) {
        errors.push(entryError);
        continue;
      }
      const pairs: Array<[string, string]> = entry.metadata.map(([, value], i) => [
        names[i]!,
        sanitizeStructuredMetadataValue(value),
      ]);
      acceptedLines++;
      const bytes = entry.lineBytes + (pairs.length === 0 ? 0 : structuredMetadataBytes(pairs));
      acceptedBytes += bytes;
      if (ctx.discoverLogLevels)
        pairs.push([DETECTED_LEVEL, streamLevel ?? detectLogLevelWithoutLabels(pairs, entry.line)]);
      entries.push({
        timestampNs: entry.timestampNs,
        line: entry.line,
        metadata: Object.fromEntries(pairs),
        pairs,
        lineBytes: entry.lineBytes,
        bytes,
      });
    }
    if (entries.length > 0) {
      accepted.push({
        labels: Object.fromEntries(s.labels.map((l) => [l.name, l.value])),
        stream,
        entries,
        replacementCharInLabels: s.replacementCharInLabels,
      });
    }
  }

  if (acceptedLines === 0) {
    return errors.length > 0
      ? { status: 400, message: groupErrors(errors), entriesStored: 0 }
      : { status: 204, message: '', entriesStored: 0 };
  }

  if (!ctx.rateLimiter.allow(ctx.tenant, acceptedBytes, ctx.nowMs)) {
    return {
      status: 429,
      message: `Ingestion rate limit exceeded for user ${ctx.tenant} (limit: ${Math.floor(ctx.rateLimiter.reportedLimit)} bytes/sec) while attempting to ingest '${acceptedLines}' lines totaling '${acceptedBytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`,
      entriesStored: 0,
    };
  }

  // The distributor shards before it forwards, so the shard labels count towards the gRPC size.
  const sharded = ctx.sharder?.shard(ctx.tenant, accepted, ctx.nowMs);
  if (sharded !== undefined) accepted = sharded;

  if (limits.maxRecvMsgBytes > 0) {
    const size = forwardedPushRequestSize(
      accepted.map((s) => ({
        labels: s.stream,
        entries: s.entries.map((e) => ({ timestampNs: e.timestampNs, line: e.line, metadata: e.pairs })),
      })),
    );
    if (size > limits.maxRecvMsgBytes) {
      return {
        status: 500,
        message: `rpc error: code = ResourceExhausted desc = grpc: received message larger than max (${size} vs. ${limits.maxRecvMsgBytes})`,
        entriesStored: 0,
      };
    }
  }

  const ingested = ctx.ingester.push(ctx.tenant, accepted, ctx.nowMs);
  let stored = 0;
  for (let i = 0; i < accepted.length; i++) {
    const s = accepted[i]!;
    const entries = ingested.toStore[i]!;
    if (entries.length > 0) stored += ctx.store.add(ctx.tenant, s.labels, s.stream, entries).length;
  }
  // The ingester records every stream's rate (all its entries, rate-limited ones too) under the unsharded stream.
  if (sharded !== undefined) {
    for (const s of sharded)
      ctx.sharder!.record(
        ctx.tenant,
        s.unsharded,
        s.entries.reduce((n, e) => n + e.bytes, 0),
        ctx.nowMs,
      );
  }
  // An ingester error beats the distributor's validation errors.
  if (ingested.error !== undefined)
    return { status: ingested.error.status, message: ingested.error.message, entriesStored: stored };
  return errors.length > 0
    ? { status: 400, message: groupErrors(errors), entriesStored: stored }
    : { status: 204, message: '', entriesStored: stored };
}
