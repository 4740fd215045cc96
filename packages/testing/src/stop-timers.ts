/**
 * Timers that `stop()` cuts short: response delays resolve at once, pending hangs never fire, so a stopped
 * receiver holds no timer.
 */
interface Sleep {
  timer: NodeJS.Timeout;
  resolve(): void;
}

export class StopTimers {
  private readonly sleeps = new Set<Sleep>();
  private readonly hangs = new Set<NodeJS.Timeout>();

  /** Resolves after `ms`, or at once on {@link cancelAll}. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry: Sleep = {
        resolve,
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
      };
      this.sleeps.add(entry);
    });
  }

  /** Runs `fn` after `ms`, unless {@link cancelAll} comes first. */
  after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.hangs.delete(timer);
      fn();
    }, ms);
    this.hangs.add(timer);
  }

  cancelAll(): void {
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.sleeps.clear();
    for (const t of this.hangs) clearTimeout(t);
    this.hangs.clear();
  }
}
