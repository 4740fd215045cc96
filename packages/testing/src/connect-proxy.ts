import http from 'node:http';
import net from 'node:net';

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every CONNECT it was asked for: its `host:port` and Proxy-Authorization header. */
  readonly connects: ReadonlyArray<{ target: string; auth: string | undefined }>;
  close(): Promise<void>;
}

/**
 * A CONNECT proxy on 127.0.0.1, port 0, for tests of a client's `proxy` option: each tunnel is a
 * pair of piped sockets. Anything but CONNECT is answered 405.
 */
export async function createConnectProxy(): Promise<ConnectProxy> {
  const connects: Array<{ target: string; auth: string | undefined }> = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end('CONNECT only');
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push({ target, auth: req.headers['proxy-authorization'] });
    const colon = target.lastIndexOf(':');
    const upstream = net.connect(
      Number(target.slice(colon + 1)),
      target.slice(0, colon).replace(/^\[|\]$/g, ''),
      () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      },
    );
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
