import {
  createEntrySink,
  type FlushResult,
  type LokiClientOptions,
  type LokiEntrySink,
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

/** `worker: false` (or no worker possible): map to core's entry input and push it on the calling thread; core sends. */
export class InThreadSink implements InfoSink {
  private readonly sink: LokiEntrySink;

  constructor(
    options: LokiClientOptions,
    private readonly mapping: RecordMapping,
  ) {
    this.sink = createEntrySink(options);
  }

  log(info: Info): void {
    this.sink.pushEntry(toLokiRecord(info, this.mapping));
  }

  flush(options?: { timeoutMillis?: number }): Promise<FlushResult> {
    return this.sink.flush(options);
  }

  close(): Promise<FlushResult> {
    return this.sink.close();
  }

  stats(): LokiClientStats {
    return this.sink.stats();
  }

  metricsSource(): LokiMetricsSource {
    return { stats: () => this.sink.stats(), observeRequests: (l) => observeClientRequests(this.sink, l) };
  }
}
