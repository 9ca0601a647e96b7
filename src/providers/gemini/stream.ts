/** Decodes Gemini's SSE streams (streamGenerateContent?alt=sse) into canonical events. */
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import { ChunkReader, type GeminiAnswer } from '../../formats/gemini/answer.ts';
import { sseEvents } from '../framing.ts';
import type { ByteStream } from '../types.ts';
import { answerError } from './response.ts';

export async function* decodeChatStream(body: ByteStream): AsyncIterable<StreamEvent> {
  const reader = new ChunkReader();
  const out: StreamEvent[] = [];
  for await (const event of sseEvents(body)) {
    let chunk: GeminiAnswer;
    try {
      chunk = JSON.parse(event.data) as GeminiAnswer;
    } catch {
      throw new UpstreamError('Upstream stream carried an event that is not JSON.', { retryable: false });
    }
    if (chunk.error) throw answerError(chunk.error, false);
    reader.read(chunk, out);
    if (out.length) {
      yield* out;
      out.length = 0;
    }
  }
  if (!reader.done) throw new UpstreamError('Upstream ended the stream before its last chunk.', { retryable: false });
  const usage = reader.finalUsage;
  if (usage) yield { type: 'usage', usage };
}
