import { runDeliveryWorker } from '@loki-sdk/core/adapter';
import { recordFromWire } from './wire-entry.js';
import type { RecordMapping } from './transport-options.js';

// The delivery worker's script: core's worker runtime with this transport's mapping (wire-entry.ts).
runDeliveryWorker((line, isRecord, mapping) => recordFromWire(line, isRecord, mapping as RecordMapping));
