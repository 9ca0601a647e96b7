/** One playground chat turn: sends it (streamed or not), gathers the answer, reasoning and usage, and times it. */
import { createParser } from 'eventsource-parser';
import { ApiError } from '../../api/client.ts';
import type { RequestCost } from '../../api/types.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatSettings {
  model: string;
  system: string;
  temperature: number | null;
  maxTokens: number | null;
  stream: boolean;
  thinking: boolean;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface ChatAnswer {
  content: string;
  reasoning: string;
  usage: ChatUsage | null;
  finishReason: string | null;
  requestId: string | null;
  /** From sending to the first answer or reasoning text; null when not streamed. */
  ttftMs: number | null;
  latencyMs: number;
}

/** The wire chunk of a Chat Completions stream, as far as the playground reads it. */
interface Chunk {
  choices?: { delta?: { content?: string | null; reasoning_content?: string | null }; finish_reason?: string | null }[];
  usage?: ChatUsage | null;
  error?: { message?: string; code?: string | null };
}

interface Completion {
  choices?: {
    message?: { content?: string | null; reasoning_content?: string | null };
    finish_reason?: string | null;
  }[];
  usage?: ChatUsage | null;
}

const ENDPOINT = '/api/playground/chat/completions';

function bodyOf(settings: ChatSettings, history: ChatMessage[]): Record<string, unknown> {
  const messages = settings.system.trim() ? [{ role: 'system', content: settings.system }, ...history] : history;
  return {
    model: settings.model,
    messages,
    ...(settings.temperature === null ? {} : { temperature: settings.temperature }),
    ...(settings.maxTokens === null ? {} : { max_tokens: settings.maxTokens }),
    ...(settings.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

async function failure(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string | null } };
    return new ApiError(res.status, body.error?.message ?? res.statusText, body.error?.code ?? null);
  } catch {
    return new ApiError(res.status, `${res.status} ${res.statusText}`);
  }
}

/**
 * Sends the conversation; `onText` sees the answer and reasoning so far as they stream. An error event inside the
 * stream (upstream failed after the first byte) throws with what arrived kept on the error.
 */
export async function sendChat(
  settings: ChatSettings,
  history: ChatMessage[],
  signal: AbortSignal,
  onText: (content: string, reasoning: string) => void,
): Promise<ChatAnswer> {
  const started = performance.now();
  const res = await fetch(ENDPOINT, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...(settings.thinking ? { 'x-thinking': 'true' } : {}) },
    body: JSON.stringify(bodyOf(settings, history)),
    signal,
  });
  if (!res.ok) throw await failure(res);
  const requestId = res.headers.get('x-request-id');
  if (!settings.stream) {
    const completion = (await res.json()) as Completion;
    const choice = completion.choices?.[0];
    const answer = {
      content: choice?.message?.content ?? '',
      reasoning: choice?.message?.reasoning_content ?? '',
      usage: completion.usage ?? null,
      finishReason: choice?.finish_reason ?? null,
      requestId,
      ttftMs: null,
      latencyMs: performance.now() - started,
    };
    onText(answer.content, answer.reasoning);
    return answer;
  }
  let content = '';
  let reasoning = '';
  let usage: ChatUsage | null = null;
  let finishReason: string | null = null;
  let ttftMs: number | null = null;
  let streamError: ApiError | undefined;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return;
      const chunk = JSON.parse(event.data) as Chunk;
      if (chunk.error) {
        streamError = new ApiError(502, chunk.error.message ?? 'The stream failed.', chunk.error.code ?? null);
        return;
      }
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      const text = choice?.delta?.content ?? '';
      const thought = choice?.delta?.reasoning_content ?? '';
      if (!text && !thought) return;
      ttftMs ??= performance.now() - started;
      content += text;
      reasoning += thought;
      onText(content, reasoning);
    },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  if (streamError) throw streamError;
  return { content, reasoning, usage, finishReason, requestId, ttftMs, latencyMs: performance.now() - started };
}

/** What the request cost, once its usage log is written (the API waits briefly for it). */
export async function costOf(requestId: string): Promise<RequestCost | null> {
  const res = await fetch(`/api/cost/request/${encodeURIComponent(requestId)}`, { credentials: 'same-origin' });
  return res.ok ? ((await res.json()) as RequestCost) : null;
}
