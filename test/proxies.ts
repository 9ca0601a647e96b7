/** Minimal forward proxies for tests: HTTP (CONNECT tunnels and absolute-form requests) and SOCKS5 (no auth, CONNECT). */
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

export interface TestProxy {
  url: string;
  /** Upstream targets the proxy was asked to reach, as host:port. */
  targets: string[];
  close(): Promise<void>;
}

function listen(server: Server, scheme: string, targets: string[]): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${scheme}://127.0.0.1:${port}`,
        targets,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function tunnel(client: Socket, host: string, port: number, onOpen: () => void): void {
  const upstream = connect(port, host, () => {
    onOpen();
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
}

export function startHttpProxy(): Promise<TestProxy> {
  const targets: string[] = [];
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/');
    targets.push(url.host);
    const forward = httpRequest(url, { method: req.method, headers: req.headers }, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const [host = '', port = '80'] = (req.url ?? '').split(':');
    targets.push(`${host}:${port}`);
    tunnel(client, host, Number(port), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) client.unshift(head);
    });
  });
  return listen(server, 'http', targets);
}

export function startSocks5Proxy(): Promise<TestProxy> {
  const targets: string[] = [];
  const server = createServer((client) => {
    client.once('data', (greeting: Buffer) => {
      if (greeting[0] !== 5) return client.destroy();
      client.write(Buffer.from([5, 0])); // no authentication
      client.once('data', (req: Buffer) => {
        if (req[0] !== 5 || req[1] !== 1) return client.destroy();
        let host: string;
        let at: number;
        if (req[3] === 1) {
          host = [...req.subarray(4, 8)].join('.');
          at = 8;
        } else if (req[3] === 3) {
          const len = req[4]!;
          host = req.subarray(5, 5 + len).toString();
          at = 5 + len;
        } else return client.destroy();
        const port = req.readUInt16BE(at);
        targets.push(`${host}:${port}`);
        tunnel(client, host, port, () => client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0])));
      });
    });
  });
  return listen(server, 'socks5', targets);
}
