/**
 * The listening socket: started on a port, stopped with every open connection cut, and started again on
 * the same port (so a client sees Loki go away and come back).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export class HttpListener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Listens on `host:port` and resolves with the port bound (the free one chosen for port 0). */
  async start(port: number, host: string, handle: RequestHandler): Promise<number> {
    const server = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`${err instanceof Error ? err.message : String(err)}\n`);
        }
      });
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.server = server;
    return address && typeof address === 'object' ? address.port : port;
  }

  /** Closes the server and destroys every open connection; resolves once the server has closed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}
