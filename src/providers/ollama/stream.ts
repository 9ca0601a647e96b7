/** Decodes Ollama's NDJSON streams (/api/chat, /api/generate) into canonical events. */
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import { ndjsonLines } from '../framing.ts';
import type { ByteStream } from '../types.ts';
import { answerError, argumentsText, finishFrom, type OllamaAnswer, toolCallId, usageFrom } from './response.ts';

/** The stream's answer objects up to the one marked done; an error line, or an end before done, throws. */
async function* answers(body: ByteStream): AsyncIterable<OllamaAnswer> {
  for await (const line of ndjsonLines(body)) {
    let answer: OllamaAnswer;
    try {
      answer = JSON.parse(line) as OllamaAnswer;
    } catch {
      throw new UpstreamError('Upstream stream carried a line that is not JSON.', { retryable: false });
    }
    if (answer.error !== undefined) throw answerError(answer.error, false);
    yield answer;
    if (answer.done === true) return;
  }
  throw new UpstreamError('Upstream stream ended before its final message.', { retryable: false });
}

export async function* decodeChatStream(body: ByteStream): AsyncIterable<StreamEvent> {
  let toolCalls = 0;
  for await (const answer of answers(body)) {
    const m = answer.message;
    if (m?.thinking) yield { type: 'reasoning', text: m.thinking };
    if (m?.content) yield { type: 'text', text: m.content };
    // Ollama sends each tool call whole, in one line: a start and a single delta with all the arguments.
    for (const call of m?.tool_calls ?? []) {
      const index = toolCalls++;
      yield { type: 'tool_call_start', index, id: toolCallId(call.id), name: call.function?.name ?? '' };
      yield { type: 'tool_call_delta', index, arguments: argumentsText(call.function?.arguments) };
    }
    if (answer.done) {
      yield { type: 'finish', reason: finishFrom(answer.done_reason, toolCalls > 0) };
      const usage = usageFrom(answer);
      if (usage) yield { type: 'usage', usage };
    }
  }
}

export async function* decodeCompletionStream(body: ByteStream): AsyncIterable<StreamEvent> {
  for await (const answer of answers(body)) {
    if (answer.response) yield { type: 'text', text: answer.response };
    if (answer.done) {
      yield { type: 'finish', reason: finishFrom(answer.done_reason, false) };
      const usage = usageFrom(answer);
      if (usage) yield { type: 'usage', usage };
    }
  }
}
