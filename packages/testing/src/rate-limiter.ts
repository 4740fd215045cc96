/** Per-tenant ingestion limiter: Loki's burst cap and an optional token bucket (`x/time/rate` semantics). */

interface Bucket {
  tokens: number;
  lastMs: number;
}

/** Decides whether a request costing `n` bytes may be ingested for a tenant. */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * @param rateBytesPerSecond token refill rate; undefined disables the bucket (only the burst cap applies).
   * @param burstBytes largest single request (and bucket capacity); 0 disables the cap.
   */
  constructor(
    private readonly rateBytesPerSecond: number | undefined,
    private readonly burstBytes: number,
  ) {}

  /** The limit Loki reports in its 429 message (bytes/sec). */
  get reportedLimit(): number {
    return this.rateBytesPerSecond ?? this.burstBytes;
  }

  /** Consumes `n` tokens and returns true, or returns false and consumes nothing. */
  allow(tenant: string, n: number, nowMs: number): boolean {
    if (this.burstBytes > 0 && n > this.burstBytes) return false;
    const rate = this.rateBytesPerSecond;
    if (rate === undefined || rate <= 0) return true;
    const capacity = this.burstBytes > 0 ? this.burstBytes : rate;
    let bucket = this.buckets.get(tenant);
    if (!bucket) {
      bucket = { tokens: capacity, lastMs: nowMs };
      this.buckets.set(tenant, bucket);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((nowMs - bucket.lastMs) / 1000) * rate);
    bucket.lastMs = nowMs;
    if (bucket.tokens < n) return false;
    bucket.tokens -= n;
    return true;
  }

  /** Forgets all buckets. */
  reset(): void {
    this.buckets.clear();
  }
}
