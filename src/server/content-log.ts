/**
 * What a request line carries of a conversation when its channel sets `log_content: true`: the prompt (messages as
 * role and text, a completion's prompt, an embedding's input) and the generated text. Nothing of it otherwise.
 */
import { contentText } from '../core/content.ts';
import type { ChatRequest, ChatResponse, CompletionResponse } from '../core/types.ts';

/** A logged text longer than this is cut (and says how much was left out): a log line is no place for a book. */
export const CONTENT_LOG_LIMIT = 64 * 1024;

export function capped(text: string): string {
  return text.length <= CONTENT_LOG_LIMIT
    ? text
    : `${text.slice(0, CONTENT_LOG_LIMIT)}…[${text.length - CONTENT_LOG_LIMIT} more characters]`;
}

/** The request's prompt as the log shows it. */
export function promptOf(req: object): unknown {
  if ('messages' in req) {
    return (req as ChatRequest).messages.map((m) => {
      const entry: Record<string, unknown> = { role: m.role, content: capped(contentText(m.content)) };
      if (m.toolCalls?.length)
        entry.tool_calls = m.toolCalls.map((c) => ({ name: c.name, arguments: capped(c.arguments) }));
      return entry;
    });
  }
  if ('prompt' in req) {
    const { prompt } = req as { prompt: string | string[] };
    return typeof prompt === 'string' ? capped(prompt) : prompt.map(capped);
  }
  if ('input' in req) {
    const { input } = req as { input: unknown };
    if (typeof input === 'string') return capped(input);
    if (Array.isArray(input) && input.every((i) => typeof i === 'string')) return input.map(capped);
    return '(token ids)';
  }
  return undefined;
}

/** The generated text of a decoded answer: its text, reasoning and tool-call arguments. */
export function decodedText(res: object): string | undefined {
  if ('message' in res) {
    const { message } = res as ChatResponse;
    return (
      contentText(message.content) +
      (message.reasoning ?? '') +
      (message.toolCalls ?? []).map((c) => c.name + c.arguments).join('')
    );
  }
  if ('text' in res) return (res as CompletionResponse).text;
  return undefined;
}
