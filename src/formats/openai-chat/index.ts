/** OpenAI Chat Completions as an inbound chat format (the relay's default, and the format of every error off a route). */
import { asGatewayError } from '../../core/errors.ts';
import type { ChatFormat } from '../types.ts';
import { decodeChatRequest } from './decode.ts';
import { encodeChatStream, SSE_DONE, streamErrorEvent } from './encode.ts';
import { encodeError } from './errors.ts';
import { chatResponseToWire } from './wire.ts';

export const openaiChat: ChatFormat = {
  name: 'openai-chat',
  decodeRequest: (input) => decodeChatRequest(input.body),
  encodeResponse: (res, ctx) => {
    const wire = chatResponseToWire(res, ctx.reasoningFormat);
    if (!wire.id) wire.id = `chatcmpl-${ctx.requestId}`;
    return wire;
  },
  encodeStream: (events, ctx) =>
    encodeChatStream(events, {
      id: `chatcmpl-${ctx.requestId}`,
      created: ctx.created,
      model: ctx.model,
      includeUsage: ctx.request.includeUsage,
      reasoningFormat: ctx.reasoningFormat,
    }),
  encodeError: (err) => encodeError(asGatewayError(err)),
  streamError: streamErrorEvent,
  streamClosing: SSE_DONE,
};
