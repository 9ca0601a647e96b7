/** How OpenAI-compatible vendors switch thinking on, and the chat encoder that applies a vendor's way. */
import type { ChatRequest } from '../../core/types.ts';
import { chatRequestToWire } from '../../formats/openai-chat/wire.ts';
import type { Target, UpstreamCall } from '../types.ts';
import { post } from './request.ts';

/** Adds the vendor's thinking switch to an OpenAI-format body when the request asks for thinking. */
export type ThinkingStyle = (body: Record<string, unknown>, req: ChatRequest) => void;

type Effort = NonNullable<ChatRequest['reasoningEffort']>;

/** A thinking budget as an effort level (OpenAI's o-series and gpt-5, xAI, Groq's gpt-oss). */
export function effortOf(req: ChatRequest, levels: readonly Effort[] = ['minimal', 'low', 'medium', 'high']): Effort {
  if (req.reasoningEffort && levels.includes(req.reasoningEffort)) return req.reasoningEffort;
  const budget = req.thinking?.budgetTokens;
  const wanted: Effort =
    budget === undefined ? 'medium' : budget <= 2048 ? 'low' : budget >= 16_384 ? 'high' : 'medium';
  return levels.includes(wanted) ? wanted : (levels.at(-1) ?? 'high');
}

export const THINKING = {
  /** `reasoning_effort`, the OpenAI way. */
  effort: ((body, req) => {
    body.reasoning_effort = effortOf(req);
  }) satisfies ThinkingStyle,
  /** xAI's grok-3-mini takes `low` or `high` only. */
  lowHigh: ((body, req) => {
    body.reasoning_effort = effortOf(req, ['low', 'high']);
  }) satisfies ThinkingStyle,
  /** Groq: reasoning in its own `reasoning` field, and an effort for models that take one. */
  groq: ((body, req) => {
    body.reasoning_format = 'parsed';
    if (req.reasoningEffort) body.reasoning_effort = req.reasoningEffort;
  }) satisfies ThinkingStyle,
  /** OpenRouter's unified `reasoning` object. */
  openrouter: ((body, req) => {
    const budget = req.thinking?.budgetTokens;
    body.reasoning = budget === undefined ? { effort: effortOf(req) } : { max_tokens: budget };
    delete body.reasoning_effort;
  }) satisfies ThinkingStyle,
  /** Qwen (DashScope) and SiliconFlow: `enable_thinking` with an optional `thinking_budget`. */
  enableThinking: ((body, req) => {
    body.enable_thinking = true;
    if (req.thinking?.budgetTokens !== undefined) body.thinking_budget = req.thinking.budgetTokens;
  }) satisfies ThinkingStyle,
  /** Zhipu GLM and Volcengine Ark (Doubao): `thinking: {type: enabled}`. */
  typeEnabled: ((body) => {
    body.thinking = { type: 'enabled' };
  }) satisfies ThinkingStyle,
  /** The model name decides (DeepSeek's deepseek-reasoner, Kimi's thinking models): nothing to send. */
  byModel: (() => {}) satisfies ThinkingStyle,
} as const;

export function encodeChatWith(thinking: ThinkingStyle): (req: ChatRequest, target: Target) => UpstreamCall {
  return (req, target) => {
    const body = chatRequestToWire(req, target.upstreamModel);
    if (req.thinking) thinking(body, req);
    return post(target, 'chat', body);
  };
}

/** OpenAI's own chat encoder (Azure OpenAI's too): thinking as `reasoning_effort`. */
export const encodeChat = encodeChatWith(THINKING.effort);
