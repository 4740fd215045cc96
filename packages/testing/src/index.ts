/**
 * @loki-sdk/testing: a Loki-compatible push receiver for tests, faithful to Loki 3.4.6's push contract.
 */
export { createLokiReceiver } from './receiver.js';
export { DEFAULT_RECEIVER_LIMITS } from './limits.js';
// types.ts holds the receiver's public types and nothing else: the list is kept there alone.
export type * from './types.js';
export { encodePushRequestProtobuf } from './protobuf-encoder.js';
export type { MetadataInput, ProtobufEntryInput, ProtobufStreamInput } from './protobuf-encoder.js';
export { rpcStatusMessage } from './rpc-status.js';
export { OTLP_DEFAULT_INDEX_LABEL_ATTRIBUTES } from './otlp-config.js';
export type { OtlpAttributeAction, OtlpAttributesRule, OtlpConfig } from './otlp-config.js';
export { compressSnappyBlock } from './snappy-block.js';
export { formatLabels } from './label-format.js';
export { LabelSyntaxError, parseLokiLabels } from './label-parser.js';
export type { LabelPair } from './label-parser.js';
export {
  consoleErrorText,
  failingLokis,
  failingLokiSet,
  findSecrets,
  findTestSecrets,
  hostileServers,
  ONE_ATTEMPT,
  renderings,
  SECRET_CASES,
  TEST_BASIC_AUTH_PAIRS,
  TEST_SECRETS,
} from './secret-scan.js';
export type { FailingLokis, SecretCase } from './secret-scan.js';
export { closedPort, createHostileServer } from './hostile-server.js';
export { createConnectProxy } from './connect-proxy.js';
export type { ConnectProxy } from './connect-proxy.js';
export type { HostileBehaviour, HostileServer } from './hostile-server.js';
export { LABEL_FIELD_CASE, METADATA_NAME_CASE, storedTimes, timeRuleCases } from './entry-rule-cases.js';
export type { ExpectedTime, TimeRuleCases } from './entry-rule-cases.js';
export { defaultMismatches, optionRows, readmeSection } from './readme-tables.js';
export type { OptionRow } from './readme-tables.js';
