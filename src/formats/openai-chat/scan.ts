/**
 * Reads only what metering needs from OpenAI-format bytes that otherwise pass through untouched: the usage object of
 * a JSON answer, and of an SSE stream (dropping the usage-only chunk when the client did not ask for it).
 */
import type { Usage } from '../../core/types.ts';
import { usageFromWire } from './wire.ts';

// Needles as Buffers: searching with a string needle converts it on every call.
const USAGE_KEY = Buffer.from('"usage"');
const LF2 = Buffer.from('\n\n');
const DONE_EVENT = Buffer.from('data: [DONE]');
const CRLF2 = Buffer.from('\r\n\r\n');

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
  const at = typeof body === 'string' ? body.lastIndexOf('"usage"') : body.lastIndexOf(USAGE_KEY);
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

/**
 * Whether the last `"usage"` key in `buf` is followed by an object (not `null`). Scans backwards in plain JS: in OpenAI
 * chunks the key sits at the very end, so this usually stops within a few bytes, and a stream's usage object is always
 * in its last usage-bearing event.
 */
function lastUsageIsObject(buf: Buffer): boolean {
  for (let i = buf.length - 7; i >= 0; i--) {
    if (buf[i] !== 0x22 || buf[i + 1] !== 0x75 || buf[i + 2] !== 0x73 || buf[i + 3] !== 0x61) continue;
    if (buf[i + 4] !== 0x67 || buf[i + 5] !== 0x65 || buf[i + 6] !== 0x22) continue;
    if (i > 0 && buf[i - 1] === 0x5c) continue; // `\"usage\"` inside a string value
    let j = i + 7;
    while (buf[j] === 0x20 || buf[j] === 0x3a || buf[j] === 0x0a || buf[j] === 0x0d || buf[j] === 0x09) j++;
    return buf[j] === 0x7b;
  }
  return false;
}

/** Whether `buf` (whole events) ends with the `[DONE]` event. */
function endsWithDone(buf: Buffer): boolean {
  let i = buf.length - 1;
  while (i >= 0 && (buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x20)) i--;
  return (
    i >= 5 &&
    buf[i] === 0x5d &&
    buf[i - 1] === 0x45 &&
    buf[i - 2] === 0x4e &&
    buf[i - 3] === 0x4f &&
    buf[i - 4] === 0x44 &&
    buf[i - 5] === 0x5b
  );
}

/** End (exclusive) of the last complete SSE event in `buf`, or 0 if there is none. */
function lastEventEnd(buf: Buffer): number {
  const n = buf.length;
  // The common case: upstream writes whole events, so the chunk ends with the blank line.
  if (
    n >= 2 &&
    buf[n - 1] === 0x0a &&
    (buf[n - 2] === 0x0a || (n >= 4 && buf[n - 2] === 0x0d && buf[n - 3] === 0x0a))
  ) {
    return n;
  }
  const lf = buf.lastIndexOf(LF2);
  const crlf = buf.lastIndexOf(CRLF2);
  return Math.max(lf === -1 ? 0 : lf + 2, crlf === -1 ? 0 : crlf + 4);
}

const EVENT_SPLIT = /(?<=\r?\n\r?\n)/;

export class SseUsageScanner {
  usage: Usage | undefined;
  /** Upstream sent `[DONE]` (or its usage chunk): the stream ended properly rather than being cut. */
  done = false;
  /** The `data: [DONE]` event, held back from `push` (the relay sends it once usage is recorded). */
  closing: Buffer | undefined;
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
    let complete = end === buf.length ? buf : buf.subarray(0, end);
    if (endsWithDone(complete)) {
      this.done = true;
      const at = complete.lastIndexOf(DONE_EVENT);
      this.closing = complete.subarray(at);
      complete = complete.subarray(0, at);
      if (!complete.length) return undefined;
    }
    if (!lastUsageIsObject(complete)) return complete;
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
