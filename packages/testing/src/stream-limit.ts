/**
 * The ingester's per-tenant active-stream limit (pkg/ingester/limiter.go, instance.go `createStream`):
 * a push that would create a stream past `max_global_streams_per_user` gets a 429 for that stream; the
 * tenant's other streams are stored. Streams stay active here until the ingester is reset.
 */
import type { IngesterError } from './ingester.js';

export class StreamLimit {
  private readonly active = new Map<string, number>();

  /** `limit` 0 = off. */
  constructor(private readonly limit: number) {}

  /** Counts a new stream of the tenant; Loki's 429 when the tenant already has `limit` streams. */
  admit(tenant: string, labels: string): IngesterError | undefined {
    const count = this.active.get(tenant) ?? 0;
    if (this.limit > 0 && count >= this.limit) {
      return {
        status: 429,
        message:
          `Maximum active stream limit exceeded when trying to create stream ${labels}, reduce the number of ` +
          'active streams (reduce labels or reduce label values), or contact your Loki administrator to see if ' +
          `the limit can be increased, user: '${tenant}'`,
      };
    }
    this.active.set(tenant, count + 1);
    return undefined;
  }

  reset(): void {
    this.active.clear();
  }
}
