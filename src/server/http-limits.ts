/**
 * Limits the HTTP server applies before any route runs: the size of the request line and headers, the time a client
 * may take to send its request, and the error a client gets when it breaks one (in OpenAI's error shape: no route, and
 * so no format of its own, has been found yet).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config/schema.ts';
import { InvalidRequest } from '../core/errors.ts';
import { openaiChat } from '../formats/openai-chat/index.ts';

/** How often Node looks for requests past their time limit: often enough for the limit to hold within a quarter. */
function checkingInterval(requestTimeoutMs: number): number {
  return Math.min(30_000, Math.max(250, Math.floor(requestTimeoutMs / 4)));
}

/** Fastify's server options for `server.header_limit` and `server.request_timeout`. */
export function serverLimits(server: Config['server']) {
  return {
    // Node reads the request line and headers into one buffer of at most this size; more is HPE_HEADER_OVERFLOW (431).
    http: {
      maxHeaderSize: server.header_limit,
      headersTimeout: Math.min(60_000, server.request_timeout),
      connectionsCheckingInterval: checkingInterval(server.request_timeout),
    },
    // Fastify's default (0) turns Node's off: a client trickling a body could hold its socket for ever.
    requestTimeout: server.request_timeout,
    clientErrorHandler,
  };
}

function refusal(err: NodeJS.ErrnoException): InvalidRequest {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new InvalidRequest('The request line and headers are larger than this gateway accepts.', {
        status: 431,
        code: 'request_header_fields_too_large',
      });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new InvalidRequest('The request was not received in time.', { status: 408, code: 'request_timeout' });
    default:
      return new InvalidRequest('The request is not valid HTTP.', { code: 'bad_request' });
  }
}

/** Answers a request Node could not parse (or that took too long), then closes its connection. */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection, or one already gone: there is no one to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { status, body } = openaiChat.encodeError(refusal(err));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
