/**
 * A minimal forwarding HTTP proxy on loopback, for proving that apt in the image used apt_proxy's
 * address during the build: it records every absolute-URI request apt sends through it. Plain HTTP
 * only (Debian's mirror is http://); CONNECT is refused, since apt_proxy sets Acquire::http only.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingProxy {
  readonly port: number;
  /** Every URL requested through the proxy, in order. */
  readonly urls: readonly string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(): Promise<RecordingProxy> {
  const urls: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    if (!/^http:\/\//.test(url)) {
      // A direct request (apt_proxy's reachability check asks for "/"): answer like apt-cacher-ng does.
      res.writeHead(404).end();
      return;
    }
    urls.push(url);
    const upstream = request(url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(upstream);
  });
  server.on('connect', (_req, socket) => socket.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    urls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
