/**
 * Answering a push with an injected fault instead of storing it: a reset connection, a hang that ends in a
 * reset, or a status with an optional body and `Retry-After`. The request is recorded either way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from './http-exchange.js';
import type { StopTimers } from './stop-timers.js';
import type { FaultStep, ReceivedRequest } from './types.js';

/** A fault step that answers the request itself (a delay only postpones the real answer). */
export type AnsweringFault = Exclude<FaultStep, { delayMillis: number }>;

export function isDelayFault(step: FaultStep): step is { delayMillis: number } {
  return typeof step === 'object' && 'delayMillis' in step;
}

export function answerFault(
  step: AnsweringFault,
  req: IncomingMessage,
  res: ServerResponse,
  request: ReceivedRequest,
  record: (request: ReceivedRequest) => void,
  timers: StopTimers,
): void {
  if (step === 'reset') {
    record(request);
    req.socket.destroy();
    return;
  }
  if (typeof step === 'object' && 'hangMillis' in step) {
    record(request);
    timers.after(step.hangMillis, () => req.socket.destroy());
    return;
  }
  const status = typeof step === 'number' ? step : step.status;
  const responseBody = typeof step === 'object' && step.body !== undefined ? step.body : 'injected fault\n';
  const headers: Record<string, string> = {};
  if (typeof step === 'object' && step.retryAfter !== undefined) headers['Retry-After'] = String(step.retryAfter);
  request.status = status;
  request.responseBody = status === 204 || status === 304 ? '' : responseBody;
  record(request);
  sendText(res, status, responseBody, headers);
}
