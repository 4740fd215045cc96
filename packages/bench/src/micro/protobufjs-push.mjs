// The comparison encoder: protobufjs (the library winston-loki encodes with; reached through winston-loki's
// own dependency) with Loki's PushRequest schema (pkg/push/push.proto), structured metadata included.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const protobuf = createRequire(require.resolve('winston-loki'))('protobufjs');

const PUSH_PROTO = `
syntax = "proto3";
package logproto;
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
message LabelPairAdapter { string name = 1; string value = 2; }
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`;

export const PushRequest = protobuf.parse(PUSH_PROTO).root.lookupType('logproto.PushRequest');

/** The message protobufjs encodes for these stream groups (built once, outside the timed part). */
export function toProtobufjsMessage(groups) {
  return {
    streams: groups.map((g) => ({
      labels: g.stream.key,
      entries: g.entries.map((e) => ({
        timestamp: { seconds: Number(e.timestampNs / 1_000_000_000n), nanos: Number(e.timestampNs % 1_000_000_000n) },
        line: e.line,
        structuredMetadata: (e.metadata ?? []).map(([name, value]) => ({ name, value })),
      })),
    })),
  };
}

/** protobufjs' encoding of the message. */
export function encodeProtobufjs(message) {
  return PushRequest.encode(message).finish();
}

/** Decodes a PushRequest with protobufjs into plain values (timestamps as ns bigints). */
export function decodeProtobufjs(bytes) {
  const m = PushRequest.toObject(PushRequest.decode(bytes), { longs: String, defaults: true });
  return m.streams.map((s) => ({
    labels: s.labels,
    entries: s.entries.map((e) => ({
      timestampNs: BigInt(e.timestamp?.seconds ?? 0) * 1_000_000_000n + BigInt(e.timestamp?.nanos ?? 0),
      line: e.line,
      metadata: e.structuredMetadata.map((p) => [p.name, p.value]),
    })),
  }));
}
