import { createLokiReceiver, type LokiReceiver } from '@loki-sdk/testing';
import { afterEach } from 'vitest';
import { createLokiClient, type LokiClient, type LokiClientOptions } from '../src/index.js';
import type { LokiError } from '../src/errors.js';

/** Receivers and clients made by a test are closed after it. */
const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

export async function receiver(options?: Parameters<typeof createLokiReceiver>[0]): Promise<LokiReceiver> {
  // Our assertions compare labels and metadata exactly: Loki's own additions (service_name,
  // detected_level; on by default, as in Loki) are the receiver's tests' business.
  const r = await createLokiReceiver({ discoverServiceName: false, discoverLogLevels: false, ...options });
  open.push(r);
  return r;
}

export function client(r: LokiReceiver, options: LokiClientOptions = {}): { client: LokiClient; errors: LokiError[] } {
  const errors: LokiError[] = [];
  const c = createLokiClient({ host: r.url, exitHook: false, onError: (e) => errors.push(e), ...options });
  open.push(c);
  return { client: c, errors };
}

/** Waits until a condition holds, checking on every turn of the event loop (bounded). */
export async function until(condition: () => boolean, timeoutMillis = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMillis) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
