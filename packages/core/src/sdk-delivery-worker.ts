import { invalidSdkEntry, sdkEntryFromText } from './sdk-wire-entry.js';
import { runDeliveryWorker } from './worker-thread.js';

// The direct SDK's delivery worker script (option `worker`): core's worker runtime with the SDK's wire entry.
runDeliveryWorker((line, isRecord) => (isRecord ? sdkEntryFromText(line) : invalidSdkEntry(line)));
