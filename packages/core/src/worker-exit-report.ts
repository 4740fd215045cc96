import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { CONTROL, type FromWorker } from './worker-protocol.js';

/**
 * The main thread at `exit`: waits (Atomics.wait, no event loop) until the worker raised the exit flag
 * or `waitUntil` (epoch ms) came, then takes the worker's queued reports. Its exit-drain reports give
 * only their reasons: the main thread reports one total (it also counts what the worker had not taken
 * in); every other message goes to `other`.
 */
export function waitForWorkerExit(
  control: Int32Array,
  port: MessagePort,
  waitUntil: number,
  other: (msg: FromWorker) => void,
): { done: boolean; why: string | undefined } {
  for (;;) {
    if (Atomics.load(control, CONTROL.exitDone) === 1) break;
    const left = waitUntil - Date.now();
    if (left <= 0) break;
    Atomics.wait(control, CONTROL.exitDone, 0, left);
  }
  const done = Atomics.load(control, CONTROL.exitDone) === 1;
  let why: string | undefined;
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const msg = m.message as FromWorker;
    if (msg.type === 'error' && msg.code === 'ERR_LOKI_EXIT_DRAIN') why ??= exitDrainReason(msg.message);
    else other(msg);
  }
  return { done, why };
}

function exitDrainReason(message: string): string {
  return message
    .replace(/^at process exit, \d+ entr(?:y|ies) could not be delivered( by the exit deadline)?:? ?/, '')
    .replace(/(^|; )\d+ entr(?:y|ies): /g, '$1');
}
