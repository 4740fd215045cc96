/**
 * `POST /otlp/v1/logs` as Loki 3.4.6 answers it (pkg/distributor/http.go with `ParseOTLPRequest` and
 * `OTLPError`): the tenant, the OTLP decoding and mapping, then the same push rules, limits and storage as a
 * Loki push. Success is 204 with no body; an error is a protobuf `google.rpc.Status` holding the text, with
 * 500 sent as 503 so that OTLP clients retry. Fault steps and the response delay apply as to pushes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerValue, sendText, tenantHeader } from './http-exchange.js';
import { decodeOtlpBody, OtlpDecodeError } from './otlp-decoder.js';
import { otlpToPushStreams } from './otlp-mapping.js';
import { countLogRecords } from './otlp-model.js';
import { rpcStatusBody } from './rpc-status.js';
import { pushRulesContext, type PushHandlerContext } from './push-handler.js';
import { processPush } from './push-processor.js';
import { recordSizes, takeRequest } from './take-request.js';
import { resolveTenant } from './tenant.js';
import type { ReceivedRequest } from './types.js';

let lastNowNs = 0n;

/**
 * Loki's `time.Now()` per record: the wall clock in ns (µs digits), strictly increasing so two records differ.
 * The milliseconds are Date.now()'s: timeOrigin + performance.now() is the monotonic clock from the process's start,
 * which drifts from the wall clock (seen: > 1 ms in CI, so records were stamped outside the request's time).
 */
function receiptTimeNs(): bigint {
  const subMs = performance.now() % 1;
  const now = (BigInt(Date.now()) * 1000n + BigInt(Math.floor(subMs * 1000))) * 1000n;
  lastNowNs = now > lastNowNs ? now : lastNowNs + 1n;
  return lastNowNs;
}

function entriesIn(body: Buffer, req: IncomingMessage): { uncompressedBytes: number; entries: number } {
  try {
    const decoded = decodeOtlpBody(
      body,
      headerValue(req.headers['content-type']),
      headerValue(req.headers['content-encoding']),
    );
    return { uncompressedBytes: decoded.uncompressedBytes, entries: countLogRecords(decoded.resources) };
  } catch (err) {
    return { uncompressedBytes: err instanceof OtlpDecodeError ? err.uncompressedBytes : body.length, entries: 0 };
  }
}

/** Answers with `OTLPError` (the recorded `responseBody` is the Status message), or 204. */
function finish(
  ctx: PushHandlerContext,
  res: ServerResponse,
  request: ReceivedRequest,
  status: number,
  message: string,
) {
  const code = status === 500 ? 503 : status;
  request.status = code;
  request.responseBody = code === 204 ? '' : message;
  ctx.record(request);
  if (res.destroyed || res.writableEnded) return;
  if (code === 204) {
    res.writeHead(204);
    res.end();
    return;
  }
  // Loki sets its Content-Type after WriteHeader, so Go's sniffing of the binary body decides it.
  res.writeHead(code, { 'Content-Type': 'application/octet-stream' });
  res.end(rpcStatusBody(message));
}

export async function handleOtlpLogs(ctx: PushHandlerContext, req: IncomingMessage, res: ServerResponse) {
  const taken = await takeRequest(ctx, req, res, '/otlp/v1/logs', (body) => entriesIn(body, req));
  if (taken === undefined) return;
  const { body, base, contentType, contentEncoding } = taken;

  const tenant = resolveTenant(tenantHeader(req), ctx.options.authEnabled);
  if ('status' in tenant) {
    recordSizes(base, entriesIn(body, req));
    if (tenant.status === 401) {
      // The auth middleware answers before the handler: plain text, as for pushes.
      base.status = 401;
      base.responseBody = tenant.message + '\n';
      ctx.record(base);
      sendText(res, 401, base.responseBody);
    } else finish(ctx, res, base, tenant.status, tenant.message);
    return;
  }
  base.tenant = tenant.tenant;

  let decoded;
  try {
    decoded = decodeOtlpBody(body, contentType, contentEncoding);
  } catch (err) {
    if (!(err instanceof OtlpDecodeError)) throw err;
    base.uncompressedBytes = err.uncompressedBytes;
    finish(ctx, res, base, 400, err.message);
    return;
  }
  base.uncompressedBytes = decoded.uncompressedBytes;
  const records = countLogRecords(decoded.resources);
  base.entriesReceived = records;
  // No log record: Loki builds an empty request, which the distributor answers 422.
  const streams =
    records === 0
      ? []
      : otlpToPushStreams(decoded.resources, {
          discoverServiceName: ctx.options.discoverServiceName,
          rules: ctx.options.otlpRules,
          nowNs: receiptTimeNs,
        });
  const result = processPush(
    { format: decoded.format, uncompressedBytes: decoded.uncompressedBytes, streams, entryCount: records },
    // The OTLP mapping did Loki's service-name discovery (among index labels only); the distributor does none.
    pushRulesContext(ctx, tenant.tenant, false),
  );
  base.entriesStored = result.entriesStored;
  finish(ctx, res, base, result.status, result.message);
}
