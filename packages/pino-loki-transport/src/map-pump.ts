import type { LineQueue } from './line-queue.js';

/** Lines mapped per step; between steps the event loop turns (core's batches, HTTP answers, exit). */
export const MAP_BATCH_LINES = 256;

function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, millis)).unref());
}

/**
 * Maps the queued lines in batches, one `step` at a time, off the read path. Idle when the queue is
 * empty; woken by the reader. At the end, `finish(deadline)` lets it run until the queue is empty or
 * the deadline, whichever comes first, then stops it for good.
 */
export class MapPump {
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly queue: LineQueue,
    private readonly step: (batch: string[]) => Promise<void>,
  ) {}

  wake(): void {
    if (this.running !== undefined || this.stopped) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves with the lines still queued at the deadline (taken out: nobody maps them). Never rejects. */
  async finish(deadline: number): Promise<number> {
    while (this.queue.size > 0 || this.running !== undefined) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      this.wake();
      await Promise.race([this.running, sleep(left)]);
    }
    this.stopped = true;
    return this.queue.clear();
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.queue.size > 0) {
      try {
        await this.step(this.queue.take(MAP_BATCH_LINES));
      } catch {
        // step reports its own failures; a throw here must not end the pump with lines queued.
      }
    }
  }
}
