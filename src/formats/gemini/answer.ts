/**
 * Mapping between canonical answers and Gemini's GenerateContentResponse, both ways: usage, finish reasons and parts.
 * The providers decode upstream answers and stream chunks with it; the gemini format encodes its answers with it.
 */
import { randomUUID } from 'node:crypto';
import { contentText } from '../../core/content.ts';
import type { ChatResponse, FinishReason, Message, StreamEvent, ToolCall, Usage } from '../../core/types.ts';
import type { GeminiPart } from './wire.ts';

export interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

export interface GeminiAnswerPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { id?: string; name?: string; args?: unknown };
}

/** A GenerateContentResponse: a whole answer, or one chunk of a stream. */
export interface GeminiAnswer {
  candidates?: {
    content?: { parts?: GeminiAnswerPart[]; role?: string };
    finishReason?: string;
    index?: number;
  }[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  modelVersion?: string;
  responseId?: string;
  createTime?: string;
  error?: { code?: number; message?: string; status?: string };
}

/**
 * Gemini's counts in the canonical form: the prompt includes cached and tool-use prompt tokens, completion includes
 * thoughts (Gemini counts them apart from candidates, OpenAI inside completion tokens).
 */
export function usageFromWire(u: GeminiUsage): Usage {
  const promptTokens = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const thoughts = u.thoughtsTokenCount ?? 0;
  const completionTokens = (u.candidatesTokenCount ?? 0) + thoughts;
  const usage: Usage = {
    promptTokens,
    completionTokens,
    totalTokens: u.totalTokenCount ?? promptTokens + completionTokens,
  };
  if (u.cachedContentTokenCount) usage.cachedTokens = u.cachedContentTokenCount;
  if (thoughts) usage.reasoningTokens = thoughts;
  return usage;
}

export function usageToWire(u: Usage): GeminiUsage {
  const thoughts = u.reasoningTokens ?? 0;
  const out: GeminiUsage = {
    promptTokenCount: u.promptTokens,
    candidatesTokenCount: Math.max(0, u.completionTokens - thoughts),
    totalTokenCount: u.totalTokens,
  };
  if (u.cachedTokens) out.cachedContentTokenCount = u.cachedTokens;
  if (thoughts) out.thoughtsTokenCount = thoughts;
  return out;
}

/** Reasons Google gives when its filters stopped the answer. */
const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/** Gemini says STOP after function calls too: with calls made, that is `tool_calls`. */
export function finishFromWire(reason: string | undefined, toolCalled: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== undefined && FILTERED.has(reason)) return 'content_filter';
  return toolCalled ? 'tool_calls' : 'stop';
}

export function finishToWire(reason: FinishReason): string {
  return reason === 'length' ? 'MAX_TOKENS' : reason === 'content_filter' ? 'SAFETY' : 'STOP';
}

/** Gemini's function calls carry no ids: each answer's calls get fresh ones, in OpenAI's style. */
export function newToolCallId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

function createdFrom(createTime: string | undefined): number {
  const ms = createTime === undefined ? Number.NaN : Date.parse(createTime);
  return Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000);
}

/** An upstream answer (its first candidate) as a canonical response. */
export function chatResponseFromWire(answer: GeminiAnswer, fallbackModel: string): ChatResponse {
  const candidate = answer.candidates?.[0];
  let text = '';
  let reasoning = '';
  let signature: string | undefined;
  const calls: ToolCall[] = [];
  for (const part of candidate?.content?.parts ?? []) {
    if (part.thoughtSignature && signature === undefined) signature = part.thoughtSignature;
    if (part.functionCall) {
      calls.push({
        id: part.functionCall.id || newToolCallId(),
        name: part.functionCall.name ?? '',
        arguments: JSON.stringify(part.functionCall.args ?? {}),
      });
    } else if (typeof part.text === 'string') {
      if (part.thought) reasoning += part.text;
      else text += part.text;
    }
  }
  const message: Message = { role: 'assistant', content: text };
  if (reasoning) message.reasoning = reasoning;
  if (signature !== undefined) message.reasoningSignature = signature;
  if (calls.length) message.toolCalls = calls;
  const blocked = !candidate && answer.promptFeedback?.blockReason !== undefined;
  const res: ChatResponse = {
    id: answer.responseId ?? '',
    model: answer.modelVersion ?? fallbackModel,
    created: createdFrom(answer.createTime),
    message,
    finishReason: blocked ? 'content_filter' : finishFromWire(candidate?.finishReason, calls.length > 0),
  };
  if (answer.usageMetadata) res.usage = usageFromWire(answer.usageMetadata);
  return res;
}

/** Tool-call arguments (JSON text) as Gemini's `args` object; text that is not a JSON object cannot be one. */
function argsOf(text: string): Record<string, unknown> {
  try {
    const args: unknown = JSON.parse(text || '{}');
    if (args !== null && typeof args === 'object' && !Array.isArray(args)) return args as Record<string, unknown>;
  } catch {
    // not JSON: nothing Gemini's args can carry
  }
  return {};
}

/** A function-call part; the canonical id goes along so a client that keeps it is matched by it on the next turn. */
export function functionCallPart(call: { id: string; name: string; arguments: string }): GeminiPart {
  return { functionCall: { id: call.id, name: call.name, args: argsOf(call.arguments) } };
}

/** A canonical response as a GenerateContentResponse. */
export function chatResponseToWire(
  res: ChatResponse,
  ids: { model: string; responseId: string },
): Record<string, unknown> {
  const m = res.message;
  const parts: GeminiPart[] = [];
  if (m.reasoning) parts.push({ text: m.reasoning, thought: true });
  const text = contentText(m.content);
  if (text) parts.push({ text });
  const calls = (m.toolCalls ?? []).map(functionCallPart);
  parts.push(...calls);
  if (!parts.length) parts.push({ text: '' });
  // Where Google puts it: on the first function call, else on the last part.
  if (m.reasoningSignature) (calls[0] ?? parts.at(-1)!).thoughtSignature = m.reasoningSignature;
  const out: Record<string, unknown> = {
    candidates: [{ content: { parts, role: 'model' }, finishReason: finishToWire(res.finishReason), index: 0 }],
  };
  if (res.usage) out.usageMetadata = usageToWire(res.usage);
  out.modelVersion = res.model || ids.model;
  out.responseId = res.id || ids.responseId;
  return out;
}

/** Reads a stream's chunks into canonical events; keeps what spans chunks (call numbering, the last usage). */
export class ChunkReader {
  private calls = 0;
  private finished = false;
  private usage: Usage | undefined;

  /** The events of one chunk, appended to `out`. A signature goes before the part it came on, so it can go back there. */
  read(chunk: GeminiAnswer, out: StreamEvent[]): void {
    const candidate = chunk.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.thoughtSignature) out.push({ type: 'reasoning_signature', signature: part.thoughtSignature });
      if (part.functionCall) {
        // Gemini sends each call whole, in one part: a start and a single delta with all the arguments.
        const index = this.calls++;
        out.push({
          type: 'tool_call_start',
          index,
          id: part.functionCall.id || newToolCallId(),
          name: part.functionCall.name ?? '',
        });
        out.push({ type: 'tool_call_delta', index, arguments: JSON.stringify(part.functionCall.args ?? {}) });
      } else if (part.text) {
        out.push(part.thought ? { type: 'reasoning', text: part.text } : { type: 'text', text: part.text });
      }
    }
    if (chunk.usageMetadata) this.usage = usageFromWire(chunk.usageMetadata);
    if (this.finished) return;
    if (candidate?.finishReason) {
      this.finished = true;
      out.push({ type: 'finish', reason: finishFromWire(candidate.finishReason, this.calls > 0) });
    } else if (!candidate && chunk.promptFeedback?.blockReason) {
      this.finished = true;
      out.push({ type: 'finish', reason: 'content_filter' });
    }
  }

  /** Whether a finish reason arrived (a stream without one was cut). */
  get done(): boolean {
    return this.finished;
  }

  /** The usage of the whole answer: each chunk's usageMetadata counts everything so far, so the last one is it. */
  get finalUsage(): Usage | undefined {
    return this.usage;
  }
}
