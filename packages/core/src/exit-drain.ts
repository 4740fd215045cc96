import { spawnSync } from 'node:child_process';
import type { ResolvedOptions } from './options.js';
import type { EncodedBody } from './push-encoder.js';

export interface DrainBody extends EncodedBody {
  entries: number;
}

export interface DrainResult {
  sent: number;
  failed: number;
  error?: string;
}

/**
 * Runs in a child node process (source passed with -e). Only Node built-ins: the child must start
 * fast while the parent is blocked in its `exit` handler, and got's import alone costs more.
 */
/* c8 ignore start */
function drainMain(): void {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
  process.stdin.on('end', () => {
    const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      url: string;
      headers: Record<string, string>;
      tls: { ca?: string[]; cert?: string; key?: string; passphrase?: string; rejectUnauthorized: boolean };
      timeoutMillis: number;
      bodies: Array<{ body: string; headers: Record<string, string>; entries: number }>;
    };
    const deadline = Date.now() + job.timeoutMillis;
    const url = new URL(job.url);
    // `node -e` puts require on globalThis; a bare `require` would be rewritten by the bundler.
    const load = (globalThis as unknown as { require: (id: string) => unknown }).require;
    const transport = load(url.protocol === 'https:' ? 'node:https' : 'node:http') as typeof import('node:http');
    const sendOne = (body: Buffer, headers: Record<string, string>): Promise<{ status?: number; text: string }> =>
      new Promise((resolve) => {
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          resolve({ text: 'exit deadline reached' });
          return;
        }
        const req = transport.request(
          url,
          {
            method: 'POST',
            headers: { ...job.headers, ...headers, 'content-length': String(body.length) },
            timeout: remaining,
            ...job.tls,
          } as import('node:https').RequestOptions,
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              if (text.length < 1024) text += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
            res.on('error', (e: Error) => resolve({ text: e.message }));
          },
        );
        req.on('timeout', () => req.destroy(new Error('request timed out')));
        req.on('error', (e: Error) => resolve({ text: e.message }));
        req.end(body);
      });
    void (async () => {
      let sent = 0;
      let failed = 0;
      let error: string | undefined;
      for (const item of job.bodies) {
        const body = Buffer.from(item.body, 'base64');
        let delay = 100;
        for (;;) {
          const r = await sendOne(body, item.headers);
          if (r.status !== undefined && r.status >= 200 && r.status < 300) {
            sent += item.entries;
            break;
          }
          const retryable = r.status === undefined || r.status === 429 || r.status === 408 || r.status >= 500;
          if (!retryable || Date.now() + delay >= deadline) {
            failed += item.entries;
            error = r.status === undefined ? r.text : `HTTP ${r.status}: ${r.text.trim()}`;
            break;
          }
          await new Promise((res) => setTimeout(res, delay));
          delay = Math.min(delay * 2, 1000);
        }
      }
      process.stdout.write(JSON.stringify({ sent, failed, error }));
    })();
  });
}
/* c8 ignore stop */

const DRAIN_SOURCE = `(${drainMain.toString()})()`;

function pem(value: string | Uint8Array): string {
  // Buffer.from: a Buffer that crossed a structured clone (pino's worker) is a plain Uint8Array.
  return typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
}

/**
 * Sends bodies synchronously: the parent blocks in spawnSync while a child node process posts them.
 * This is the only way to deliver after `process.exit()`, where no async work runs any more.
 */
export function drainSync(options: ResolvedOptions, bodies: DrainBody[], timeoutMillis: number): DrainResult {
  const total = bodies.reduce((n, b) => n + b.entries, 0);
  if (bodies.length === 0) return { sent: 0, failed: 0 };
  const tls: Record<string, unknown> = { rejectUnauthorized: options.tls.rejectUnauthorized };
  if (options.tls.ca) tls.ca = options.tls.ca.map(pem);
  if (options.tls.cert) tls.cert = pem(options.tls.cert);
  if (options.tls.key) tls.key = pem(options.tls.key);
  if (options.tls.passphrase) tls.passphrase = options.tls.passphrase;
  const job = {
    url: options.pushUrl,
    headers: { 'user-agent': 'loki-sdk', ...options.headers },
    tls,
    timeoutMillis: Math.max(1, timeoutMillis),
    bodies: bodies.map((b) => ({ body: b.body.toString('base64'), headers: b.headers, entries: b.entries })),
  };
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // the app's preloads (loggers, APMs) must not run in the drain child
  const child = spawnSync(process.execPath, ['-e', DRAIN_SOURCE], {
    input: JSON.stringify(job),
    timeout: timeoutMillis + 1000,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  if (child.error || child.status !== 0) {
    const why = child.error?.message ?? (child.stderr?.toString('utf8').trim().split('\n')[0] || `exit status ${child.status}`);
    return { sent: 0, failed: total, error: `exit drain failed: ${why}` };
  }
  try {
    return JSON.parse(child.stdout.toString('utf8')) as DrainResult;
  } catch {
    return { sent: 0, failed: total, error: 'exit drain gave no result' };
  }
}
