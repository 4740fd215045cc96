import { createLokiClient, pushInvalid, type FlushResult, type LokiClient, type LokiClientStats } from './client.js';
import type { LokiEntryInput } from './entry-input.js';
import { LokiError } from './errors.js';
import { checkClientOptions, defaultOnError, type LokiClientOptions } from './options.js';
import type { LokiRecord } from './record.js';
import { invalidSdkEntry, invalidSdkEntryText, sdkEntryFromText, sdkEntryText } from './sdk-wire-entry.js';
import { resolveTraceFieldNames, traceCapture, type TraceCapture } from './trace-context.js';
import { findWorkerFile } from './worker-file.js';
import { startDeliveryWorker, type DeliveryWorkerHost } from './worker-host.js';

/** Where the SDK's calls go: a client in this thread, or core's delivery worker (option `worker`). */
export interface SdkSink {
  push(record: LokiRecord): void;
  /** A call whose record could not be read: counted and reported as push() does its own. */
  pushInvalid(error: unknown): void;
  flush(options?: { timeoutMillis?: number }): Promise<FlushResult>;
  close(): Promise<FlushResult>;
  stats(): LokiClientStats;
}

class ClientSink implements SdkSink {
  constructor(private readonly client: LokiClient) {}
  push(record: LokiRecord): void {
    this.client.push(record);
  }
  pushInvalid(error: unknown): void {
    pushInvalid(this.client, error);
  }
  flush(options?: { timeoutMillis?: number }): Promise<FlushResult> {
    return this.client.flush(options);
  }
  close(): Promise<FlushResult> {
    return this.client.close();
  }
  stats(): LokiClientStats {
    return this.client.stats();
  }
}

/** This thread keeps the call: the record's text (sdk-wire-entry.ts), the time (the host), the span. */
class WorkerSink implements SdkSink {
  private readonly trace: TraceCapture | undefined;
  private readonly valuesAsText: boolean;

  constructor(
    private readonly host: DeliveryWorkerHost,
    options: LokiClientOptions,
  ) {
    this.trace = traceCapture(resolveTraceFieldNames(options.traceContext));
    this.valuesAsText = options.metadataMode !== 'line';
  }
  push(record: LokiRecord): void {
    this.host.pushText(sdkEntryText(record, this.valuesAsText, this.trace?.()), true);
  }
  pushInvalid(error: unknown): void {
    this.host.pushText(invalidSdkEntryText(error), false);
  }
  flush(options?: { timeoutMillis?: number }): Promise<FlushResult> {
    return this.host.flush(options);
  }
  close(): Promise<FlushResult> {
    return this.host.close();
  }
  stats(): LokiClientStats {
    return this.host.stats();
  }
}

// Beside the built module (ESM or CommonJS, whichever loaded this one); from the sources (tests), the built one.
const WORKER_FILES = import.meta.url.endsWith('.cjs')
  ? ['./sdk-delivery-worker.cjs']
  : ['./sdk-delivery-worker.js', '../dist/sdk-delivery-worker.js'];

/**
 * The SDK's sink. `worker`: core's delivery worker, or, when its script is not there (the app was bundled) or no
 * thread can be had, a client in this thread, reported once (ERR_LOKI_WORKER_UNAVAILABLE). Bad options throw
 * here (LokiOptionsError) either way.
 */
export function startSdkSink(options: LokiClientOptions, worker: boolean): SdkSink {
  if (!worker) return new ClientSink(createLokiClient(options));
  checkClientOptions(options);
  const found = findWorkerFile(import.meta.url, WORKER_FILES);
  let reason: string;
  if (found.file !== undefined) {
    try {
      const onError = options.onError ?? defaultOnError;
      const host = startDeliveryWorker({
        file: found.file,
        client: { ...options, onError },
        mapLine,
        mapperOptions: null,
      });
      return new WorkerSink(host, options);
    } catch (error) {
      reason = `the delivery worker could not start (${(error as Error)?.message ?? String(error)})`;
    }
  } else {
    reason = `the delivery worker file was not found (looked for ${found.looked.join(', ')})`;
  }
  const sink = new ClientSink(createLokiClient(options));
  const error = new LokiError('ERR_LOKI_WORKER_UNAVAILABLE', `${reason}: delivery runs on this thread`);
  try {
    (options.onError ?? defaultOnError)(error);
  } catch {
    // The error path must not throw into the app.
  }
  return sink;
}

/** The worker script's mapper (sdk-delivery-worker.ts), also the host's should the worker stop. */
function mapLine(line: string, isRecord: boolean): LokiEntryInput {
  return isRecord ? sdkEntryFromText(line) : invalidSdkEntry(line);
}
