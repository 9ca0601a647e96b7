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

  /** Writes now; waits only when the socket's buffer is full (a slow client), so upstream reading pauses too. */
  write(chunk: string | Buffer): Promise<void> | undefined {
    if (this.res.write(chunk) || !this.open) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(): void {
    if (this.res.writableEnded) return;
    // Node 24: a corked response ended with pending writes can lose them; make sure nothing is corked.
    while (this.res.writableCorked) this.res.uncork();
    this.res.end();
  }
}
