import type { Writable } from 'node:stream';

/**
 * Counts lines into the transport (in split2, synchronously) and out of it (pushed to core), so a
 * flush can wait for exactly the lines written before it, even while new ones keep coming.
 */
export class LineTracker {
  received = 0;
  private consumed = 0;
  private done = false;
  private waiters: Array<{ target: number; resolve: () => void }> = [];

  /** Lines pushed to core (or read and discarded, without a client). */
  get consumedCount(): number {
    return this.consumed;
  }

  /** Lines read from pino and not yet pushed to core. */
  get unconsumed(): number {
    return Math.max(0, this.received - this.consumed);
  }

  linesConsumed(n: number): void {
    this.consumed += n;
    if (this.waiters.length > 0) this.settle();
  }

  /** The reading loop ended: nobody will consume more, so nobody waits. */
  finished(): void {
    this.done = true;
    this.settle();
  }

  /**
   * Resolves true once every line written to `source` before the call has been consumed, false at
   * the deadline (the reading loop paused or stuck). Never rejects.
   */
  async drain(source: Writable | undefined, timeoutMillis: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMillis);
    });
    const drained = async (): Promise<true> => {
      if (source !== undefined && !source.writableEnded && !source.destroyed) {
        // An empty write is a barrier: its callback runs after every earlier chunk went through split2
        // (writes are processed in order), so `received` then counts all of them.
        await new Promise<void>((resolve) => {
          try {
            source.write('', () => resolve());
          } catch {
            resolve();
          }
        });
      }
      const target = this.received;
      if (!this.done && this.consumed < target)
        await new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
      return true;
    };
    try {
      return await Promise.race([drained(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private settle(): void {
    const ready = this.waiters.filter((w) => this.done || w.target <= this.consumed);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
