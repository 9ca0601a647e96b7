/** Splits upstream byte streams into messages: Server-Sent Events and newline-delimited JSON. */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ByteStream } from './types.ts';

/** The SSE events of an upstream body, in order, as they complete. */
export async function* sseEvents(body: ByteStream): AsyncIterable<EventSourceMessage> {
  const decoder = new TextDecoder();
  let pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event) });
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (pending.length) {
      const ready = pending;
      pending = [];
      yield* ready;
    }
  }
  parser.feed(`${decoder.decode()}\n\n`);
  yield* pending;
}

/** The non-empty lines of an NDJSON upstream body, in order. */
export async function* ndjsonLines(body: ByteStream): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let carry = '';
  for await (const chunk of body) {
    carry += decoder.decode(chunk, { stream: true });
    let newline = carry.indexOf('\n');
    while (newline !== -1) {
      const line = carry.slice(0, newline).trim();
      carry = carry.slice(newline + 1);
      if (line) yield line;
      newline = carry.indexOf('\n');
    }
  }
  const last = (carry + decoder.decode()).trim();
  if (last) yield last;
}
