/** Decodes Fitten Code's chat answer: newline-delimited JSON lines `{"delta": "…"}`, read as fitten-code-api reads them. */
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { ChatResponse, StreamEvent, Usage } from '../../core/types.ts';
import type { Target } from '../types.ts';

interface FittenLine {
  delta?: unknown;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown } | null;
  error?: unknown;
  detail?: unknown;
}

const count = (value: unknown): number => (typeof value === 'number' && value >= 0 ? value : 0);

/** The events of one line. Lines that are not JSON objects are skipped, as fitten-code-api skips them. */
export function lineEvents(line: string): StreamEvent[] {
  let parsed: FittenLine;
  try {
    const value = JSON.parse(line) as unknown;
    if (value === null || typeof value !== 'object') return [];
    parsed = value as FittenLine;
  } catch {
    return [];
  }
  const failure = parsed.error ?? (parsed.delta === undefined ? parsed.detail : undefined);
  if (failure !== undefined) {
    const message = typeof failure === 'string' ? failure : JSON.stringify(failure);
    throw new UpstreamError(`Upstream error: ${redactSecrets(message)}`, { retryable: false });
  }
  const out: StreamEvent[] = [];
  if (typeof parsed.delta === 'string' && parsed.delta) out.push({ type: 'text', text: parsed.delta });
  if (parsed.usage) {
    const promptTokens = count(parsed.usage.prompt_tokens);
    const completionTokens = count(parsed.usage.completion_tokens);
    const usage: Usage = {
      promptTokens,
      completionTokens,
      totalTokens: count(parsed.usage.total_tokens) || promptTokens + completionTokens,
    };
    out.push({ type: 'usage', usage });
  }
  return out;
}

/** The whole answer, joined from the lines of the stream Fitten always sends. */
export function decodeChat(body: string, target: Target): ChatResponse {
  let content = '';
  let usage: Usage | undefined;
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    for (const event of lineEvents(line.trim())) {
      if (event.type === 'text') content += event.text;
      else if (event.type === 'usage') usage = event.usage;
    }
  }
  const res: ChatResponse = {
    id: '',
    model: target.upstreamModel,
    created: Math.floor(Date.now() / 1000),
    message: { role: 'assistant', content },
    finishReason: 'stop',
  };
  if (usage) res.usage = usage;
  return res;
}
