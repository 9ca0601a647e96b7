/** Writes Server-Sent Events straight to the socket of a hijacked reply, honouring back-pressure. */
import type { ServerResponse } from 'node:http';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

export class SseWriter {
  private readonly res: ServerResponse;

  constructor(res: ServerResponse, headers: Record<string, string>) {
    this.res = res;
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
  }

  /** False once the client has gone: there is no one left to write to. */
  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  /** Writes now; false when the socket's buffer is full (a slow client): wait for `onDrain` before writing more. */
  writeNow(chunk: string | Buffer): boolean {
    return this.res.write(chunk) || !this.open;
  }

  /** Calls `listener` once the client has taken the buffered bytes, or has gone. */
  onDrain(listener: () => void): void {
    const done = (): void => {
      this.res.off('drain', done);
      this.res.off('close', done);
      listener();
    };
    this.res.on('drain', done);
    this.res.on('close', done);
  }

  /** Writes, and when the socket's buffer is full waits until it drains (upstream reading pauses meanwhile). */
  async write(chunk: string | Buffer): Promise<void> {
    if (!this.writeNow(chunk)) await new Promise<void>((resolve) => this.onDrain(resolve));
  }

  end(): void {
    if (this.res.writableEnded) return;
    // Node 24: a corked response ended with pending writes can lose them; make sure nothing is corked.
    while (this.res.writableCorked) this.res.uncork();
    this.res.end();
  }
}
