/** Decodes a Coze v3 chat stream (SSE) into canonical events as they arrive. */
import type { StreamEvent } from '../../core/types.ts';
import { sseEvents } from '../framing.ts';
import type { ByteStream, Target } from '../types.ts';
import { CozeChatReader, endedEarly } from './response.ts';

export async function* decodeChatStream(body: ByteStream, target: Target): AsyncIterable<StreamEvent> {
  const reader = new CozeChatReader(target);
  for await (const event of sseEvents(body)) {
    yield* reader.push(event.event, event.data);
    if (reader.done) break;
  }
  if (!reader.completed) throw endedEarly();
}
