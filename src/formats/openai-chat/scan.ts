/**
 * Reads only what metering needs from OpenAI-format bytes that otherwise pass through untouched: the usage object of
 * a JSON answer, and of an SSE stream (dropping the usage-only chunk when the client did not ask for it).
 */
import type { Usage } from '../../core/types.ts';
import { usageFromWire } from './wire.ts';

const USAGE_KEY = Buffer.from('"usage"');

/** Index just past the object that starts at `start` (a `{`), or -1 if it does not close within `text`. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return i + 1;
  }
  return -1;
}

/** The usage object after the last `"usage":` in a JSON body, if it is an object. */
export function findUsage(body: string | Buffer): Usage | undefined {
  const at = body.lastIndexOf('"usage"');
  if (at === -1) return undefined;
  // Decode only the tail that holds the usage object, not the whole answer.
  const text = typeof body === 'string' ? body : body.toString('utf8', at);
  const key = typeof body === 'string' ? at : 0;
  let i = key + 7;
  while (
    i < text.length &&
    (text[i] === ' ' || text[i] === ':' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r')
  )
    i++;
  if (text[i] !== '{') return undefined;
  const end = objectEnd(text, i);
  if (end === -1) return undefined;
  try {
    return usageFromWire(JSON.parse(text.slice(i, end)));
  } catch {
    return undefined;
  }
}

/** Whether `buf` holds a `"usage"` key followed by an object (not `null`). */
function hasUsageObject(buf: Buffer): boolean {
  let at = buf.indexOf(USAGE_KEY);
  while (at !== -1) {
    let i = at + USAGE_KEY.length;
    while (
      i < buf.length &&
      (buf[i] === 0x20 || buf[i] === 0x3a || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)
    )
      i++;
    if (buf[i] === 0x7b /* { */) return true;
    at = buf.indexOf(USAGE_KEY, i);
  }
  return false;
}

/** End (exclusive) of the last complete SSE event in `buf`, or 0 if there is none. */
function lastEventEnd(buf: Buffer): number {
  const lf = buf.lastIndexOf('\n\n');
  const crlf = buf.lastIndexOf('\r\n\r\n');
  return Math.max(lf === -1 ? 0 : lf + 2, crlf === -1 ? 0 : crlf + 4);
}

const EVENT_SPLIT = /(?<=\r?\n\r?\n)/;

export class SseUsageScanner {
  usage: Usage | undefined;
  /** Upstream sent `[DONE]` (or its usage chunk): the stream ended properly rather than being cut. */
  done = false;
  private readonly stripUsageChunk: boolean;
  private held: Buffer | undefined;

  /** `stripUsageChunk`: the gateway asked upstream for usage on its own behalf, so the client must not see it. */
  constructor(stripUsageChunk: boolean) {
    this.stripUsageChunk = stripUsageChunk;
  }

  /** The bytes to forward now: every complete event of `chunk` (plus held bytes), less a stripped usage chunk. */
  push(chunk: Buffer): Buffer | undefined {
    const buf = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    const end = lastEventEnd(buf);
    this.held = end < buf.length ? buf.subarray(end) : undefined;
    if (end === 0) return undefined;
    const complete = end === buf.length ? buf : buf.subarray(0, end);
    if (!this.done && complete.includes('[DONE]')) this.done = true;
    if (!hasUsageObject(complete)) return complete;
    return this.takeUsage(complete);
  }

  /** Bytes still held at the end of the stream (an unterminated last event), to forward as they are. */
  flush(): Buffer | undefined {
    const rest = this.held;
    this.held = undefined;
    return rest;
  }

  private takeUsage(complete: Buffer): Buffer {
    const events = complete.toString('utf8').split(EVENT_SPLIT);
    let kept = '';
    for (const event of events) {
      const usage = event.includes('"usage"') ? findUsage(event) : undefined;
      if (usage) {
        this.usage = usage;
        if (this.stripUsageChunk && /"choices"\s*:\s*\[\s*\]/.test(event)) continue;
      }
      kept += event;
    }
    return Buffer.from(kept, 'utf8');
  }
}
