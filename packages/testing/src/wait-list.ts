/**
 * The pending `waitFor...` calls: each is re-checked when a request is recorded, and rejected on its timeout
 * or when the receiver closes.
 */
interface Waiter {
  check(): boolean;
  timer: NodeJS.Timeout;
  reject(err: Error): void;
}

export class WaitList {
  private readonly waiters = new Set<Waiter>();

  /** Resolves with `result()` once `done()` holds; rejects with `message()` after `timeoutMillis`. */
  waitFor<T>(done: () => boolean, result: () => T, timeoutMillis: number, message: () => string): Promise<T> {
    if (done()) return Promise.resolve(result());
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          if (!done()) return false;
          resolve(result());
          return true;
        },
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(message()));
        }, timeoutMillis),
        reject,
      };
      this.waiters.add(waiter);
    });
  }

  /** Re-checks every waiter; those now satisfied leave the list. */
  notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
      }
    }
  }

  rejectAll(message: string): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(message));
    }
    this.waiters.clear();
  }
}
