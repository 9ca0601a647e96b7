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
  /** Text `write` collected this tick: sent as one chunk when the tick's work (one upstream chunk's events) is done. */
  private pending = '';
  /** Set while the socket's buffer is full: the next `write` waits for it. */
  private draining: Promise<void> | undefined;

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

  /**
   * Queues converted events: every event written in this tick goes out in one socket write (a converted upstream chunk
   * yields several events, and a write each would cost a syscall and a chunk header each). When the socket's buffer is
   * full, the next write returns a promise to wait for: it resolves once the socket drained and the text is queued
   * (upstream reading pauses meanwhile); otherwise it returns nothing, to save a promise per event.
   */
  write(text: string): Promise<void> | undefined {
    if (this.draining) return this.draining.then(() => this.write(text));
    if (this.pending === '') process.nextTick(this.flush);
    this.pending += text;
    return undefined;
  }

  private readonly flush = (): void => {
    const text = this.pending;
    this.pending = '';
    if (text === '' || this.writeNow(text)) return;
    this.draining = new Promise<void>((resolve) =>
      this.onDrain(() => {
        this.draining = undefined;
        resolve();
      }),
    );
  };

  /** Ends the stream, after what is queued and then `last` (a closing event held back until now). */
  end(last?: string | Buffer): void {
    if (this.res.writableEnded) return;
    this.flush();
    if (last) this.writeNow(last);
    // Node 24: a corked response ended with pending writes can lose them; make sure nothing is corked.
    while (this.res.writableCorked) this.res.uncork();
    this.res.end();
  }
}
