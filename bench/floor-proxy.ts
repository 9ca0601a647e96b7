// The bench's "floor": the least a Node proxy can do (node:http in, undici Pool out, bytes passed through as they come).
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { type Dispatcher, Pool } from 'undici';
import { HOST } from './shared.ts';

/** Hop-by-hop headers (and the ones undici sets itself) that a proxy must not copy across. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'host',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}

function relay(upstream: Dispatcher.ResponseData, res: ServerResponse): void {
  const { body } = upstream;
  res.writeHead(upstream.statusCode, endToEnd(upstream.headers));
  body.on('data', (chunk: Buffer) => {
    if (res.write(chunk)) return;
    body.pause();
    res.once('drain', () => body.resume());
  });
  body.on('end', () => res.end());
  body.on('error', () => res.destroy());
  res.on('close', () => {
    if (!res.writableFinished) body.destroy();
  });
}

function proxyTo(origin: string) {
  const pool = new Pool(origin, { keepAliveTimeout: 60_000 });
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer | null): void => {
    pool
      .request({
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        path: req.url ?? '/',
        headers: endToEnd(req.headers),
        body,
      })
      .then(
        (upstream) => relay(upstream, res),
        (err: unknown) => {
          if (res.headersSent) return res.destroy();
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: `floor proxy: ${String(err)}` } }));
        },
      );
  };
  // The request body is read whole before it is sent on, as any gateway must to route it.
  return (req: IncomingMessage, res: ServerResponse): void => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () =>
      forward(req, res, parts.length === 0 ? null : parts.length === 1 ? parts[0]! : Buffer.concat(parts)),
    );
  };
}

const { values } = parseArgs({ options: { upstream: { type: 'string', multiple: true, default: [] } } });

// One listening port per upstream origin, in the order given.
const ports = await Promise.all(
  values.upstream.map(
    (origin) =>
      new Promise<number>((resolve, reject) => {
        const server = createServer(proxyTo(origin));
        server.keepAliveTimeout = 65_000;
        server.once('error', reject);
        server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port));
      }),
  ),
);
// The orchestrator holds our stdin: when it goes away, so do we.
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ ports })}\n`);
