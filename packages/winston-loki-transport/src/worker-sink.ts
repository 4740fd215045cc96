import { startDeliveryWorker, type DeliveryWorkerHost, type LokiClientOptions } from '@loki-sdk/core/adapter';
import type { Info, InfoSink } from './info-sink.js';
import type { RecordMapping } from './transport-options.js';
import { plainInfoJson, recordFromWire, recordJson } from './wire-entry.js';

/**
 * The transport's side of core's delivery worker: each info becomes its text here (wire-entry.ts),
 * core's worker runtime does the rest (hand-off, bounds, requests, exit).
 */
export class WorkerSink implements InfoSink {
  private readonly host: DeliveryWorkerHost;

  constructor(
    file: string,
    options: LokiClientOptions,
    private readonly mapping: RecordMapping,
  ) {
    this.host = startDeliveryWorker({
      file,
      client: options,
      mapperOptions: mapping,
      mapLine: (line, isRecord) => recordFromWire(line, isRecord, mapping),
    });
  }

  log(info: Info, loggerMadeJson: boolean): void {
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
}
