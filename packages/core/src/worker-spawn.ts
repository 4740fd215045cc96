import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { LokiClientOptions } from './options.js';
import { CONTROL, SHARED_SLOTS, type WorkerSetup } from './worker-protocol.js';

export interface SpawnedWorker {
  worker: Worker;
  /** The worker's messages (a port of its own, so they can be read synchronously at exit). */
  port: MessagePort;
  control: Int32Array;
  statsView: Float64Array;
}

/** Starts the worker script with its setup (see worker-protocol.ts). Throws when no thread can be had. */
export function spawnWorker(
  file: string,
  clientOptions: Omit<LokiClientOptions, 'onError'>,
  mapperOptions: unknown,
): SpawnedWorker {
  const stats = new SharedArrayBuffer(SHARED_SLOTS * Float64Array.BYTES_PER_ELEMENT);
  const control = new SharedArrayBuffer(CONTROL.length * Int32Array.BYTES_PER_ELEMENT);
  const channel = new MessageChannel();
  const setup: WorkerSetup = {
    client: { ...clientOptions, exitHook: false },
    mapperOptions,
    stats,
    control,
    port: channel.port2,
  };
  // A worker inherits the app's Node flags; `--input-type` (an app run with `node -e`) makes it refuse to
  // start, since the worker is a file.
  const execArgv = process.execArgv.filter(
    (arg, i, all) => !arg.startsWith('--input-type') && all[i - 1] !== '--input-type',
  );
  const worker = new Worker(file, { workerData: setup, transferList: [channel.port2], execArgv });
  return { worker, port: channel.port1, control: new Int32Array(control), statsView: new Float64Array(stats) };
}
