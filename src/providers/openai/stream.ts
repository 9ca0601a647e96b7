/** Decodes OpenAI-format upstream SSE streams (chat and completions) into canonical events. */
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import { chunkToEvents, finishFromWire, usageFromWire } from '../../formats/openai-chat/wire.ts';
import { sseEvents } from '../framing.ts';
import type { ByteStream } from '../types.ts';

async function* chunks(body: ByteStream): AsyncIterable<Record<string, unknown>> {
  let finished = false;
  for await (const event of sseEvents(body)) {
    if (event.data === '[DONE]') return;
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      throw new UpstreamError('Upstream stream carried an event that is not JSON.', { retryable: false });
    }
    const error = chunk.error as { message?: unknown } | undefined;
    if (error) {
      const message = typeof error.message === 'string' ? error.message : 'upstream stream error';
      throw new UpstreamError(`Upstream stream error: ${message}`, { retryable: false });
    }
    finished ||= (chunk.choices as { finish_reason?: unknown }[] | undefined)?.some((c) => c.finish_reason) === true;
    yield chunk;
  }
  // Neither `[DONE]` nor a finish reason: the connection ended the answer, not the model (a proxy closing early).
  if (!finished) throw new UpstreamError('Upstream ended the stream before it was complete.', { retryable: false });
}

export async function* decodeChatStream(body: ByteStream): AsyncIterable<StreamEvent> {
  const out: StreamEvent[] = [];
  for await (const chunk of chunks(body)) {
    chunkToEvents(chunk, out);
    if (out.length) {
      yield* out;
      out.length = 0;
    }
  }
}

export async function* decodeCompletionStream(body: ByteStream): AsyncIterable<StreamEvent> {
  for await (const chunk of chunks(body)) {
    const choice = (chunk.choices as { text?: string; finish_reason?: string | null }[] | undefined)?.[0];
    if (choice?.text) yield { type: 'text', text: choice.text };
    if (choice?.finish_reason) yield { type: 'finish', reason: finishFromWire(choice.finish_reason) };
    if (chunk.usage) yield { type: 'usage', usage: usageFromWire(chunk.usage) };
  }
}
