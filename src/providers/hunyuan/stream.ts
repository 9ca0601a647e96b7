/** Decodes Tencent Hunyuan's SSE streams (`data: {Choices: [{Delta, FinishReason}], Usage}`) into canonical events. */
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent, Usage } from '../../core/types.ts';
import { toolCallId } from '../ollama/response.ts';
import { eventPayloads, parseEvent } from '../qianfan/stream.ts';
import type { ByteStream, Target } from '../types.ts';
import { answerError, finishFrom, isFailure, streamError, unwrap, usageFrom } from './response.ts';

export async function* decodeChatStream(body: ByteStream, target: Target): AsyncIterable<StreamEvent> {
  // Tool calls are identified by Id across events (the name comes first, the arguments after it).
  const calls = new Map<string, number>();
  let usage: Usage | undefined;
  let finished = false;
  for await (const data of eventPayloads(body)) {
    if (finished) continue;
    const answer = unwrap(parseEvent<Record<string, unknown>>(data));
    // An error answers the whole request (a JSON body, not an event stream).
    if (answer.Error?.Code) throw answerError(answer.Error, target);
    if (isFailure(answer.ErrorMsg)) throw streamError(answer.ErrorMsg, target);
    // Each event carries the usage so far.
    usage = usageFrom(answer.Usage) ?? usage;
    const choice = answer.Choices?.[0];
    const delta = choice?.Delta ?? choice?.Message;
    if (delta?.ReasoningContent) yield { type: 'reasoning', text: delta.ReasoningContent };
    if (delta?.Content) yield { type: 'text', text: delta.Content };
    for (const call of delta?.ToolCalls ?? []) {
      const key = call.Id || `#${call.Index ?? 0}`;
      let index = calls.get(key);
      if (index === undefined) {
        index = calls.size;
        calls.set(key, index);
        yield { type: 'tool_call_start', index, id: toolCallId(call.Id), name: call.Function?.Name ?? '' };
      }
      if (call.Function?.Arguments) yield { type: 'tool_call_delta', index, arguments: call.Function.Arguments };
    }
    if (choice?.FinishReason) {
      finished = true;
      yield { type: 'finish', reason: finishFrom(choice.FinishReason, calls.size > 0) };
    }
  }
  if (!finished) throw new UpstreamError('Upstream stream ended before its final message.', { retryable: false });
  if (usage) yield { type: 'usage', usage };
}
