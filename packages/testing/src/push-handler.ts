/**
 * One push request from body to answer: the fault step or response delay it is given, the tenant, the
 * decoding, Loki's push rules, and the record of what was received and stored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultScript } from './fault-script.js';
import { headerValue, sendText, tenantHeader } from './http-exchange.js';
import type { Ingester } from './ingester.js';
import type { ResolvedReceiverOptions } from './options.js';
import { decodePushBody, PushDecodeError, type PushDecodeOptions } from './push-decoder.js';
import { processPush, type PushContext } from './push-processor.js';
import type { TenantRateLimiter } from './rate-limiter.js';
import type { StopTimers } from './stop-timers.js';
import type { EntryStore } from './store.js';
import type { StreamSharder } from './stream-sharder.js';
import { recordSizes, takeRequest } from './take-request.js';
import { resolveTenant } from './tenant.js';
import type { ReceivedRequest } from './types.js';

/** The receiver's state a push reads and changes. */
export interface PushHandlerContext {
  options: ResolvedReceiverOptions;
  faults: FaultScript;
  timers: StopTimers;
  store: EntryStore;
  ingester: Ingester;
  rateLimiter: TenantRateLimiter;
  sharder: StreamSharder | undefined;
  /** The delay set with `setResponseDelay`. */
  responseDelay(): number;
  /** Changes on every `stop()`: a request from before it is never answered. */
  generation(): number;
  record(request: ReceivedRequest): void;
}

/**
 * The push rules' context for one request of `tenant`, from the receiver's state; `discoverServiceName` is the
 * distributor's (off for OTLP, whose mapping already did Loki's discovery among its index labels).
 */
export function pushRulesContext(ctx: PushHandlerContext, tenant: string, discoverServiceName: boolean): PushContext {
  return {
    tenant,
    limits: ctx.options.limits,
    discoverServiceName,
    discoverLogLevels: ctx.options.discoverLogLevels,
    strict: ctx.options.strict,
    store: ctx.store,
    ingester: ctx.ingester,
    rateLimiter: ctx.rateLimiter,
    sharder: ctx.sharder,
    nowMs: Date.now(),
  };
}

function decodeOptions(options: ResolvedReceiverOptions, legacy: boolean): PushDecodeOptions {
  return {
    rawJsonMetadataValues: options.jsonStructuredMetadataValues !== 'decoded',
    strict: options.strict,
    legacyJson: legacy,
  };
}

/** Sizes of a body that is not stored (a fault, a refused tenant), for the request record. */
function decodeQuietly(
  body: Buffer,
  req: IncomingMessage,
  options: ResolvedReceiverOptions,
  legacy: boolean,
): { uncompressedBytes: number; entries: number } {
  try {
    const decoded = decodePushBody(
      body,
      headerValue(req.headers['content-type']),
      headerValue(req.headers['content-encoding']),
      decodeOptions(options, legacy),
    );
    return { uncompressedBytes: decoded.uncompressedBytes, entries: decoded.entryCount };
  } catch (err) {
    if (err instanceof PushDecodeError) return { uncompressedBytes: err.uncompressedBytes, entries: err.entryCount };
    return { uncompressedBytes: body.length, entries: 0 };
  }
}

function finishPush(
  ctx: PushHandlerContext,
  res: ServerResponse,
  request: ReceivedRequest,
  status: number,
  message: string,
): void {
  request.status = status;
  request.responseBody = status === 204 ? '' : message + '\n';
  ctx.record(request);
  sendText(res, status, request.responseBody);
}

export async function handlePush(
  ctx: PushHandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  legacy: boolean,
): Promise<void> {
  const taken = await takeRequest(ctx, req, res, legacy ? '/api/prom/push' : '/loki/api/v1/push', (body) =>
    decodeQuietly(body, req, ctx.options, legacy),
  );
  if (taken === undefined) return;
  const { body, base, contentType, contentEncoding } = taken;

  const tenant = resolveTenant(tenantHeader(req), ctx.options.authEnabled);
  if ('status' in tenant) {
    recordSizes(base, decodeQuietly(body, req, ctx.options, legacy));
    finishPush(ctx, res, base, tenant.status, tenant.message);
    return;
  }
  base.tenant = tenant.tenant;

  let decoded;
  try {
    decoded = decodePushBody(body, contentType, contentEncoding, decodeOptions(ctx.options, legacy));
  } catch (err) {
    if (!(err instanceof PushDecodeError)) throw err;
    base.uncompressedBytes = err.uncompressedBytes;
    base.entriesReceived = err.entryCount;
    finishPush(ctx, res, base, 400, err.message);
    return;
  }
  base.uncompressedBytes = decoded.uncompressedBytes;
  base.entriesReceived = decoded.entryCount;

  const result = processPush(decoded, pushRulesContext(ctx, tenant.tenant, ctx.options.discoverServiceName));
  base.entriesStored = result.entriesStored;
  finishPush(ctx, res, base, result.status, result.message);
}
