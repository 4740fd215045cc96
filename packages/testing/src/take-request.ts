/**
 * The start every push endpoint shares (Loki's push API and its OTLP endpoint): read the body, give up on a
 * request from before a `stop()`, take the next fault step, record the request's base facts, wait out the
 * response delay, and answer a scripted fault. What is left is the endpoint's own: tenant, decoding, rules.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerFault, isDelayFault } from './fault-answer.js';
import { describeFaultStep } from './fault-script.js';
import { headerValue, readBody } from './http-exchange.js';
import type { PushHandlerContext } from './push-handler.js';
import type { ReceivedRequest } from './types.js';

/** What a body holds, read without storing it (for the record of a request that is not stored). */
export type BodySizes = (body: Buffer) => { uncompressedBytes: number; entries: number };

export interface TakenRequest {
  body: Buffer;
  /** The request's record so far; the endpoint completes it and records it with its answer. */
  base: ReceivedRequest;
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

/** `undefined`: nothing more to do (the request is stale, its body unreadable, or a fault answered it). */
export async function takeRequest(
  ctx: PushHandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  sizes: BodySizes,
): Promise<TakenRequest | undefined> {
  const receivedAt = Date.now();
  const generation = ctx.generation();
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    return undefined;
  }
  if (generation !== ctx.generation()) return undefined;

  const step = ctx.faults.next();
  const contentType = headerValue(req.headers['content-type']);
  const contentEncoding = headerValue(req.headers['content-encoding']);
  const base: ReceivedRequest = {
    status: 0,
    responseBody: '',
    bodyBytes: body.length,
    uncompressedBytes: body.length,
    headers: { ...req.headers },
    entriesReceived: 0,
    entriesStored: 0,
    receivedAt,
    path,
  };
  if (contentType !== undefined) base.contentType = contentType;
  if (contentEncoding !== undefined) base.contentEncoding = contentEncoding;
  if (step !== undefined) base.fault = describeFaultStep(step);

  let delay = ctx.responseDelay();
  if (step !== undefined && isDelayFault(step)) delay += step.delayMillis;
  if (delay > 0) {
    await ctx.timers.sleep(delay);
    if (generation !== ctx.generation()) return undefined;
  }
  if (step !== undefined && !isDelayFault(step)) {
    recordSizes(base, sizes(body));
    answerFault(step, req, res, base, (request) => ctx.record(request), ctx.timers);
    return undefined;
  }
  return { body, base, contentType, contentEncoding };
}

export function recordSizes(base: ReceivedRequest, seen: { uncompressedBytes: number; entries: number }): void {
  base.uncompressedBytes = seen.uncompressedBytes;
  base.entriesReceived = seen.entries;
}
