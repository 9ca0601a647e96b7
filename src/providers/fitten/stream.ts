/** Decodes Fitten Code's NDJSON chat stream into canonical events; it has no end marker, so its end is the stop. */
import type { StreamEvent, Usage } from '../../core/types.ts';
import { ndjsonLines } from '../framing.ts';
import type { ByteStream } from '../types.ts';
import { lineEvents } from './response.ts';

export async function* decodeChatStream(body: ByteStream): AsyncIterable<StreamEvent> {
  let usage: Usage | undefined;
  for await (const line of ndjsonLines(body)) {
    for (const event of lineEvents(line)) {
      if (event.type === 'usage') usage = event.usage;
      else yield event;
    }
  }
  yield { type: 'finish', reason: 'stop' };
  if (usage) yield { type: 'usage', usage };
}
