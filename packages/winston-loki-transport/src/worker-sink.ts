import {
  METRICS_SOURCE,
  resolveTraceFieldNames,
  startDeliveryWorker,
  traceCapture,
  type DeliveryWorkerHost,
  type LokiClientOptions,
  type LokiMetricsSource,
  type TraceCapture,
} from '@loki-sdk/core/adapter';
import type { Info, InfoSink } from './info-sink.js';
import type { RecordMapping } from './transport-options.js';
import { plainInfoJson, recordFromWire, recordJson } from './wire-entry.js';

/**
 * The transport's side of core's delivery worker: each info becomes its text here (wire-entry.ts),
 * core's worker runtime does the rest (hand-off, bounds, requests, exit).
 */
export class WorkerSink implements InfoSink {
  private readonly host: DeliveryWorkerHost;
  /** The span is on this thread, not the worker's: read here at log(), carried as the record's metadata. */
  private readonly trace: TraceCapture | undefined;

  constructor(
    file: string,
    options: LokiClientOptions,
    private readonly mapping: RecordMapping,
  ) {
    this.trace = traceCapture(resolveTraceFieldNames(options.traceContext));
    this.host = startDeliveryWorker({
      file,
      // The worker's sink does not look for a span (none there) but keeps the trace field names (core).
      client: options,
      mapperOptions: mapping,
      mapLine: (line, isRecord) => recordFromWire(line, isRecord, mapping),
    });
  }

  log(info: Info, loggerMadeJson: boolean): void {
    const trace = this.trace?.();
    // Inside a span the record is mapped here, to carry the span's fields as metadata.
    if (trace !== undefined) return this.host.pushText(recordJson(info, this.mapping, trace), true);
    const plain = this.mapping.useFormat ? undefined : plainInfoJson(info, loggerMadeJson);
    if (plain !== undefined) this.host.pushText(plain, false);
    else this.host.pushText(recordJson(info, this.mapping), true);
  }

  flush(options?: { timeoutMillis?: number }) {
    return this.host.flush(options);
  }

  close() {
    return this.host.close();
  }

  stats() {
    return this.host.stats();
  }

  metricsSource(): LokiMetricsSource {
    return this.host[METRICS_SOURCE]();
  }
}
