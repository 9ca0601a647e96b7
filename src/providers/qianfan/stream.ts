/** Decodes Qianfan v1 chat streams (SSE `data: {result, is_end, usage}`) into canonical events. */
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import { sseEvents } from '../framing.ts';
import { toolCallId } from '../ollama/response.ts';
import type { ByteStream, Target } from '../types.ts';
import { answerError, finishOf, type QianfanAnswer, usageOf } from './response.ts';

const OPEN_BRACE = 0x7b;
const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * The data of each SSE event of a stream; or, when upstream answered the stream request with one JSON document instead
 * (Qianfan's and Tencent Cloud's errors do), that whole document once.
 */
export async function* eventPayloads(body: ByteStream): AsyncIterable<string> {
  const iterator = body[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let first: number | undefined;
  while (first === undefined) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    first = next.value.find((byte) => !isSpace(byte));
  }
  async function* whole(): AsyncIterable<Uint8Array> {
    yield* head;
    yield* { [Symbol.asyncIterator]: () => iterator };
  }
  if (first === OPEN_BRACE) {
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of whole()) text += decoder.decode(chunk, { stream: true });
    yield text + decoder.decode();
    return;
  }
  for await (const event of sseEvents(whole())) if (event.data && event.data !== '[DONE]') yield event.data;
}

/** Parses one event's data; a stream cannot be retried once started, so bad data ends it. */
export function parseEvent<T>(data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new UpstreamError('Upstream stream carried an event that is not JSON.', { retryable: false });
  }
}

export async function* decodeChatStream(body: ByteStream, target: Target): AsyncIterable<StreamEvent> {
  let ended = false;
  let called = false;
  for await (const data of eventPayloads(body)) {
    if (ended) continue;
    const answer = parseEvent<QianfanAnswer>(data);
    if (answer.error_code) throw answerError(answer, target);
    if (answer.result) yield { type: 'text', text: answer.result };
    const call = answer.function_call;
    // A function call arrives whole, in one event.
    if (call?.name && !called) {
      called = true;
      if (call.thoughts) yield { type: 'reasoning', text: call.thoughts };
      yield { type: 'tool_call_start', index: 0, id: toolCallId(undefined), name: call.name };
      if (call.arguments) yield { type: 'tool_call_delta', index: 0, arguments: call.arguments };
    }
    if (answer.is_end) {
      ended = true;
      yield { type: 'finish', reason: called ? 'tool_calls' : finishOf(answer) };
      const usage = usageOf(answer);
      if (usage) yield { type: 'usage', usage };
    }
  }
  if (!ended) throw new UpstreamError('Upstream stream ended before its final message.', { retryable: false });
}
