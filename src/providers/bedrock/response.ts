/** Decodes Bedrock Converse answers and error bodies into the canonical form. */
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { ChatResponse, FinishReason, Message, Usage } from '../../core/types.ts';
import { parseUpstreamJson } from '../openai/response.ts';
import type { Target } from '../types.ts';

export interface WireUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

interface WireBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: { reasoningText?: { text?: string; signature?: string }; redactedContent?: string };
}

/** Converse's inputTokens leave out the prompt cache; the canonical prompt counts every input token. */
export function usageFromWire(u: WireUsage): Usage {
  const cached = u.cacheReadInputTokens ?? 0;
  const written = u.cacheWriteInputTokens ?? 0;
  const promptTokens = (u.inputTokens ?? 0) + cached + written;
  const completionTokens = u.outputTokens ?? 0;
  const usage: Usage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
  if (cached) usage.cachedTokens = cached;
  if (written) usage.cacheWriteTokens = written;
  return usage;
}

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  tool_use: 'tool_calls',
  max_tokens: 'length',
  content_filtered: 'content_filter',
  guardrail_intervened: 'content_filter',
};

export const finishFromWire = (reason: unknown): FinishReason =>
  (typeof reason === 'string' && STOP_REASONS[reason]) || 'stop';

export function decodeChat(body: string, target: Target): ChatResponse {
  const wire = parseUpstreamJson(body) as {
    output?: { message?: { content?: WireBlock[] } };
    stopReason?: string;
    usage?: WireUsage;
  };
  const message: Message = { role: 'assistant', content: '' };
  let text = '';
  for (const block of wire.output?.message?.content ?? []) {
    if (typeof block.text === 'string') text += block.text;
    else if (block.toolUse) {
      const call = {
        id: block.toolUse.toolUseId ?? '',
        name: block.toolUse.name ?? '',
        arguments: JSON.stringify(block.toolUse.input ?? {}),
      };
      if (message.toolCalls) message.toolCalls.push(call);
      else message.toolCalls = [call];
    } else if (block.reasoningContent?.reasoningText) {
      const r = block.reasoningContent.reasoningText;
      message.reasoning = (message.reasoning ?? '') + (r.text ?? '');
      if (r.signature) message.reasoningSignature = r.signature;
    }
  }
  message.content = text;
  const res: ChatResponse = {
    id: '',
    model: target.upstreamModel,
    created: Math.floor(Date.now() / 1000),
    message,
    finishReason: finishFromWire(wire.stopReason),
  };
  if (wire.usage) res.usage = usageFromWire(wire.usage);
  return res;
}

/** Bedrock's error bodies: `{"message": …}` (or `Message`), the exception named in `x-amzn-errortype`. */
export function errorMessage(status: number, body: string): string {
  let message: unknown;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; Message?: unknown };
    message = parsed.message ?? parsed.Message;
  } catch {
    message = body;
  }
  const text = typeof message === 'string' && message.trim() ? message.trim() : `HTTP ${status}`;
  return redactSecrets(text.length > 500 ? `${text.slice(0, 500)}…` : text);
}

/** An exception inside the stream (`:message-type: exception`), with the status its type stands for. */
export function streamException(type: string, payload: string): UpstreamError {
  const status = /throttling/i.test(type)
    ? 429
    : /validation/i.test(type)
      ? 400
      : /access|unrecognized/i.test(type)
        ? 403
        : 503;
  return new UpstreamError(`Upstream stream error (${type}): ${errorMessage(status, payload)}`, {
    upstreamStatus: status,
    retryable: false,
  });
}
