import {
  createLokiClient,
  type FlushResult,
  type LokiClient,
  type LokiClientOptions,
  type LokiClientStats,
  type LokiMetricsSource,
  observeClientRequests,
} from '@loki-sdk/core/adapter';
import { toLokiRecord } from './to-loki-record.js';
import type { RecordMapping } from './transport-options.js';

export type Info = Record<string | symbol, unknown>;

/** Where the transport's `log()` puts an info: a core client in this thread, or the delivery worker. */
export interface InfoSink {
  /**
   * Takes the info at once (the app may change it after the call). Throws only when the info cannot
   * be read. `loggerMadeJson`: `info[MESSAGE]` is the info as JSON (see loggerMadeJson in loki-transport.ts).
   */
  log(info: Info, loggerMadeJson: boolean): void;
  flush(options?: { timeoutMillis?: number }): Promise<FlushResult>;
  close(): Promise<FlushResult>;
  stats(): LokiClientStats;
  /** What registerLokiMetrics reads: stats() and the push requests, wherever the client runs. */
  metricsSource(): LokiMetricsSource;
}

/** `worker: false` (or no worker possible): map and queue on the calling thread; core sends. */
export class InThreadSink implements InfoSink {
  private readonly client: LokiClient;

  constructor(
    options: LokiClientOptions,
    private readonly mapping: RecordMapping,
  ) {
    this.client = createLokiClient(options);
  }

  log(info: Info): void {
    this.client.push(toLokiRecord(info, this.mapping));
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

  metricsSource(): LokiMetricsSource {
    return { stats: () => this.client.stats(), observeRequests: (l) => observeClientRequests(this.client, l) };
  }
}
