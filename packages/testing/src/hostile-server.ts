import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a hostile or broken server answers to every request. */
export type HostileBehaviour =
  /** 500, with the request's headers echoed in the body (a proxy that prints what it got). */
  | { kind: 'echo-headers'; status?: number }
  /** `status` with a body of `bytes` bytes, generated as it is written (never held in memory). */
  | { kind: 'huge-body'; status: number; bytes: number }
  /** A redirect to `location`. */
  | { kind: 'redirect'; status?: number; location: string };

export interface HostileServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Requests received: their headers. */
  readonly requests: http.IncomingHttpHeaders[];
  /** Bytes of response body written so far (huge-body: less than `bytes` when the client hung up). */
  readonly bodyBytesWritten: number;
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that misbehaves as told, for tests of what a client does with such answers. */
export async function createHostileServer(behaviour: HostileBehaviour): Promise<HostileServer> {
  const requests: http.IncomingHttpHeaders[] = [];
  let written = 0;
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    req.resume();
    req.on('end', () => {
      switch (behaviour.kind) {
        case 'echo-headers':
          res.writeHead(behaviour.status ?? 500, { 'content-type': 'text/plain' });
          res.end(`upstream failed; your headers were ${JSON.stringify(req.headers)}`);
          return;
        case 'redirect':
          res.writeHead(behaviour.status ?? 302, { location: behaviour.location });
          res.end();
          return;
        case 'huge-body': {
          res.writeHead(behaviour.status, { 'content-type': 'text/plain', 'content-length': String(behaviour.bytes) });
          const chunk = Buffer.alloc(64 * 1024, 'x');
          let left = behaviour.bytes;
          const pump = (): void => {
            while (left > 0) {
              const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
              left -= part.length;
              written += part.length;
              if (!res.write(part)) {
                res.once('drain', pump);
                return;
              }
            }
            res.end();
          };
          res.on('close', () => {
            left = 0;
          });
          pump();
        }
      }
    });
  });
  if (behaviour.kind === 'echo-headers') {
    // Also its own CONNECT proxy (a client whose `proxy` is this server): the tunnel is answered
    // by this same server, so the credentials of the CONNECT and of the request are both exercised.
    server.on('connect', (req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
      requests.push(req.headers);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) socket.unshift(head);
      server.emit('connection', socket);
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get bodyBytesWritten() {
      return written;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A `host:port` on 127.0.0.1 where nothing listens (a refused connection). */
export async function closedPort(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}
