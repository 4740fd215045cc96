/**
 * Reading a request and writing a plain-text answer, the way Loki's Go HTTP stack does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The first `X-Scope-OrgID` line, as Go's `Header.Get` reads it (Node joins repeated lines with ", "). */
export function tenantHeader(req: IncomingMessage): string | undefined {
  return req.headersDistinct['x-scope-orgid']?.[0];
}

/** Answers with a text body; statuses that carry no body get none. A gone response is left alone. */
export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  if (status === 204 || status === 304 || status < 200) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(body);
}
