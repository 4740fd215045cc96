import { spawnSync } from 'node:child_process';
import type { ResolvedOptions } from './options.js';
import { readDrainOutput } from './exit-drain-output.js';
import type { PartialSuccess } from './otlp-response.js';
import { OTLP_RETRY_STATUSES } from './retry-policy.js';
import type { EncodedBody } from './push-encoder.js';

export interface DrainBody extends EncodedBody {
  entries: number;
}

export interface DrainResult {
  /** Entries of the bodies Loki acknowledged. */
  sent: number;
  failed: number;
  /** Per body, in order: acknowledged or not (a body the child never finished counts as not). */
  delivered: boolean[];
  /** Per body: the child began to send it (an unacknowledged one may still have reached Loki). */
  tried: boolean[];
  /** Per body: the partial success an OTLP endpoint answered (its `sent` entries include the rejected). */
  partial: Array<(PartialSuccess & { status: number }) | undefined>;
  error?: string;
}

/**
 * Runs in a child node process (source passed with -e). Only Node built-ins: the child must start
 * fast while the parent is blocked in its `exit` handler, and got's import alone costs more.
 *
 * Input: a 4-byte length, a JSON header, then the bodies back to back (binary: no base64 to encode
 * in the parent or decode here). Output, one line per event, written at once (stdout is a pipe,
 * synchronous on Linux): `try <index>` as a body's bytes go on the wire, `ok <index>` per acknowledged
 * body, `err <message>` per failure. The child
 * stops at the deadline by itself, so whatever it printed is true even when it is cut short.
 */
/* c8 ignore start */
function drainMain(): void {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
  process.stdin.on('end', () => {
    const input = Buffer.concat(chunks);
    const headerBytes = input.readUInt32LE(0);
    const job = JSON.parse(input.subarray(4, 4 + headerBytes).toString('utf8')) as {
      url: string;
      headers: Record<string, string>;
      tls: { ca?: string[]; cert?: string; key?: string; passphrase?: string; rejectUnauthorized: boolean };
      proxy?: string;
      deadline: number;
      /** OTLP's retryable statuses (429, 502, 503, 504), or absent: Loki's (429, 408, 5xx). */
      retryStatuses?: number[];
      bodies: Array<{ bytes: number; headers: Record<string, string> }>;
    };
    const deadline = job.deadline;
    const stopAt = setTimeout(() => process.exit(0), Math.max(0, deadline - Date.now()));
    const url = new URL(job.url);
    // `node -e` puts require on globalThis (a bare `require` would be rewritten by the bundler);
    // `bun -e` does not, but has process.getBuiltinModule (so do Node >= 20.16 and Deno).
    const load =
      (globalThis as unknown as { require?: (id: string) => unknown }).require ??
      ((id: string) => (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule(id));
    const transport = load(url.protocol === 'https:' ? 'node:https' : 'node:http') as typeof import('node:http');
    const targetPort = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
    // Through the client's proxy, as the client sends: a CONNECT tunnel per body (hpagent cannot
    // be loaded here), then the request, with TLS inside the tunnel for an https Loki.
    const tunnel = (proxyUrl: string, remaining: number): Promise<import('node:net').Socket> =>
      new Promise((resolve, reject) => {
        const proxy = new URL(proxyUrl);
        const headers: Record<string, string> = { host: `${url.hostname}:${targetPort}` };
        if (proxy.username !== '' || proxy.password !== '') {
          headers['proxy-authorization'] =
            `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
        }
        const http = load('node:http') as typeof import('node:http');
        const req = http.request({
          host: proxy.hostname,
          port: proxy.port || 80,
          method: 'CONNECT',
          path: `${url.hostname}:${targetPort}`,
          headers,
          timeout: remaining,
          agent: false,
        });
        req.on('connect', (res, socket) => {
          if (res.statusCode === 200) resolve(socket);
          else {
            socket.destroy();
            reject(new Error(`proxy answered CONNECT with HTTP ${res.statusCode}`));
          }
        });
        req.on('timeout', () => req.destroy(new Error('proxy timed out')));
        req.on('error', reject);
        req.end();
      });
    const sendOne = async (
      index: number,
      body: Buffer,
      headers: Record<string, string>,
    ): Promise<{ status?: number; text: string; raw?: Buffer; type?: string }> => {
      let socket: import('node:net').Socket | undefined;
      if (job.proxy !== undefined) {
        try {
          socket = await tunnel(job.proxy, deadline - Date.now());
        } catch (error) {
          return { text: `${(error as Error).message} (via proxy)` };
        }
      }
      return new Promise((resolve) => {
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          socket?.destroy();
          resolve({ text: 'exit deadline reached' });
          return;
        }
        // `try` only once bytes can reach Loki: a body never put on the wire must not be counted
        // as a possible duplicate when it is replayed.
        process.stdout.write(`try ${index}\n`);
        const viaTunnel =
          socket === undefined
            ? {}
            : {
                createConnection: () => {
                  if (url.protocol !== 'https:') return socket;
                  const tls = load('node:tls') as typeof import('node:tls');
                  const net = load('node:net') as typeof import('node:net');
                  const host = url.hostname.replace(/^\[|\]$/g, '');
                  return tls.connect({ socket, ...(net.isIP(host) === 0 ? { servername: host } : {}), ...job.tls });
                },
              };
        const req = transport.request(
          url,
          {
            method: 'POST',
            headers: { ...job.headers, ...headers, 'content-length': String(body.length) },
            timeout: remaining,
            ...job.tls,
            ...viaTunnel,
          } as import('node:https').RequestOptions,
          (res) => {
            // The first KiB of the body is all we keep; past it the request is cut, so a huge
            // (hostile) answer is neither buffered nor read to its end while the deadline runs.
            // Bytes, not text: an OTLP answer may be protobuf (its partial success is read by the parent).
            let kept = Buffer.alloc(0);
            const status = res.statusCode ?? 0;
            const type = String(res.headers['content-type'] ?? '');
            const done = (): void => resolve({ status, text: kept.toString('utf8'), raw: kept, type });
            res.on('data', (d: Buffer) => {
              kept = Buffer.concat([kept, d.subarray(0, 1024 - kept.length)]);
              if (kept.length >= 1024) {
                done();
                req.destroy();
              }
            });
            res.on('end', done);
            res.on('error', done);
            res.on('aborted', done);
          },
        );
        req.on('timeout', () => req.destroy(new Error('request timed out')));
        req.on('error', (e: Error) => resolve({ text: e.message }));
        req.end(body);
      });
    };
    void (async () => {
      let offset = 4 + headerBytes;
      for (let index = 0; index < job.bodies.length; index++) {
        const item = job.bodies[index]!;
        const body = input.subarray(offset, offset + item.bytes);
        offset += item.bytes;
        if (Date.now() >= deadline) break; // the rest stays untried
        let delay = 100;
        for (;;) {
          const r = await sendOne(index, body, item.headers);
          if (r.status !== undefined && r.status >= 200 && r.status < 300) {
            // An OTLP 2xx may tell of a partial success: its body goes up too (base64: one line).
            const answer = job.retryStatuses !== undefined && r.raw !== undefined && r.raw.length > 0;
            const more = answer ? ` ${r.status} ${r.raw!.toString('base64')} ${encodeURIComponent(r.type ?? '')}` : '';
            process.stdout.write(`ok ${index}${more}\n`);
            break;
          }
          const retryable =
            r.status === undefined ||
            (job.retryStatuses !== undefined
              ? job.retryStatuses.includes(r.status)
              : r.status === 429 || r.status === 408 || r.status >= 500);
          if (!retryable || Date.now() + delay >= deadline) {
            const error = r.status === undefined ? r.text : `HTTP ${r.status}: ${r.text.trim()}`;
            process.stdout.write(`err ${error.replace(/\s+/g, ' ')}\n`);
            break;
          }
          await new Promise((res) => setTimeout(res, delay));
          delay = Math.min(delay * 2, 1000);
        }
      }
      clearTimeout(stopAt);
    })();
  });
}
/* c8 ignore stop */

const DRAIN_SOURCE = `(${drainMain.toString()})()`;

function pem(value: string | Uint8Array): string {
  // Buffer.from: a Buffer that crossed a structured clone (pino's worker) is a plain Uint8Array.
  return typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
}

/** Past the deadline, what the child may take to print its last line and end before it is killed. */
const CHILD_EXIT_SLACK_MILLIS = 200;

/**
 * Sends bodies synchronously: the parent blocks in spawnSync while a child node process posts them.
 * This is the only way to deliver after `process.exit()`, where no async work runs any more. Ends
 * by `deadline` (epoch ms) plus the child's start and exit: the child stops itself at the deadline
 * and is killed shortly after should it not.
 */
export function drainSync(options: ResolvedOptions, bodies: DrainBody[], deadline: number): DrainResult {
  const total = bodies.reduce((n, b) => n + b.entries, 0);
  const none: DrainResult = {
    sent: 0,
    failed: total,
    delivered: bodies.map(() => false),
    tried: bodies.map(() => false),
    partial: bodies.map(() => undefined),
  };
  if (bodies.length === 0) return none;
  const left = deadline - Date.now();
  if (left <= 0) return { ...none, error: 'exit deadline reached' };
  const tls: Record<string, unknown> = { rejectUnauthorized: options.tls.rejectUnauthorized };
  if (options.tls.ca) tls.ca = options.tls.ca.map(pem);
  if (options.tls.cert) tls.cert = pem(options.tls.cert);
  if (options.tls.key) tls.key = pem(options.tls.key);
  if (options.tls.passphrase) tls.passphrase = options.tls.passphrase;
  const header = Buffer.from(
    JSON.stringify({
      url: options.pushUrl,
      headers: { 'user-agent': 'loki-sdk', ...options.headers },
      tls,
      ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
      deadline,
      ...(options.protocol === 'otlp' ? { retryStatuses: OTLP_RETRY_STATUSES } : {}),
      bodies: bodies.map((b) => ({ bytes: b.body.length, headers: b.headers })),
    }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length, 0);
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // the app's preloads (loggers, APMs) must not run in the drain child
  const child = spawnSync(process.execPath, ['-e', DRAIN_SOURCE], {
    input: Buffer.concat([length, header, ...bodies.map((b) => b.body)]),
    timeout: left + CHILD_EXIT_SLACK_MILLIS,
    killSignal: 'SIGKILL',
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = readDrainOutput(child.stdout?.toString('utf8') ?? '', bodies, options);
  result.failed = total - result.sent;
  if (result.failed > 0 && result.error === undefined) {
    // Deno without --allow-run answers spawnSync with an empty object: no status, no error.
    const started = child.status !== undefined || child.error !== undefined;
    const why = !started
      ? 'the child process could not be started (on Deno: --allow-run is needed)'
      : (child.error?.message ??
        (child.status !== 0
          ? child.stderr?.toString('utf8').trim().split('\n')[0] || `exit status ${child.status}`
          : 'exit deadline reached'));
    result.error = child.error !== undefined || child.status !== 0 ? `exit drain failed: ${why}` : why;
  }
  return result;
}
