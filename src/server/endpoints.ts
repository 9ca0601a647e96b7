/** The relay's endpoints: chat in every inbound format (OpenAI's with its pass-through), completions, embeddings. */

import type { FastifyRequest } from 'fastify';
import { foldSystemMessages } from '../core/system-fold.ts';
import type {
  ChatRequest,
  ChatResponse,
  CompletionRequest,
  CompletionResponse,
  EmbeddingRequest,
  EmbeddingResponse,
} from '../core/types.ts';
import { decodeCompletionRequest, decodeEmbeddingRequest } from '../formats/openai-chat/decode.ts';
import {
  encodeCompletionResponse,
  encodeCompletionStream,
  encodeEmbeddingResponse,
  SSE_DONE,
  streamErrorEvent,
} from '../formats/openai-chat/encode.ts';
import type { ChatFormat, InboundRequest } from '../formats/types.ts';
import type { Gateway } from '../gateway.ts';
import { withConversations } from '../pipelines/conversations.ts';
import type { Endpoint, ProviderDescriptor } from '../providers/types.ts';
import { type EndpointSpec, relayHandler } from './relay.ts';

const speaksOpenAI = (d: ProviderDescriptor, endpoint: Endpoint): boolean =>
  d.passthrough?.endpoints.includes(endpoint) === true;

/** The chat endpoint in one inbound format; every format shares the road, OpenAI's also the pass-through. */
export function chatSpec(
  format: ChatFormat,
  defaultModel?: () => string | undefined,
): EndpointSpec<ChatRequest, ChatResponse> {
  return {
    endpoint: 'chat',
    decode: (input, switches) => {
      const fallback = defaultModel?.();
      const body = input.body as Record<string, unknown> | undefined;
      if (fallback && body && typeof body === 'object' && (body.model === undefined || body.model === ''))
        input = { ...input, body: { ...body, model: fallback } };
      const withSwitches = (req: ChatRequest): ChatRequest => {
        if (switches.thinking && !req.thinking) req.thinking = {};
        return req;
      };
      const decoded = format.decodeRequest(input);
      return decoded instanceof Promise ? decoded.then(withSwitches) : withSwitches(decoded);
    },
    codec: (descriptor) => descriptor.chat,
    prepare: (req, d) => (d.target.provider.system_role ? req : { ...req, messages: foldSystemMessages(req.messages) }),
    // Bytes pass through only when nothing needs converting: the upstream's reasoning field is the one asked for.
    passthrough: (req, d, switches) =>
      req.raw !== undefined &&
      !req.thinking &&
      d.target.provider.system_role &&
      speaksOpenAI(d.provider.descriptor, 'chat') &&
      switches.reasoningFormat === (d.provider.descriptor.passthrough?.reasoningField ?? 'reasoning_content'),
    native: (req, d, switches) =>
      req.native &&
      !switches.thinking &&
      d.target.provider.system_role &&
      d.provider.descriptor.native?.format === req.native.format
        ? req.native
        : undefined,
    encodeResponse: format.afterResponse
      ? async (res, ctx) => {
          const encoded = format.encodeResponse(res, ctx);
          await format.afterResponse!(res, encoded, ctx);
          return encoded;
        }
      : (res, ctx) => format.encodeResponse(res, ctx),
    encodeStream: (events, ctx) => format.encodeStream(events, ctx),
    streamError: (err) => format.streamError(err),
    ...(format.streamClosing === undefined ? {} : { streamClosing: format.streamClosing }),
  };
}

/**
 * A chat route's handler for one inbound format, with server-side conversations (`conversation_id`) unless the
 * format keeps its own (the Responses API's `previous_response_id`); `inputOf` adds what the URL says (Gemini's model
 * and action).
 */
export function chatRelay(
  gw: Gateway,
  format: ChatFormat,
  inputOf?: (request: FastifyRequest) => Omit<InboundRequest, 'owner'>,
) {
  const served =
    format.name === 'openai-responses'
      ? format
      : withConversations(format, gw.conversations, gw.config.models.context_windows);
  return relayHandler(
    gw,
    chatSpec(served, () => gw.config.models.default),
    inputOf,
  );
}

export const completionSpec: EndpointSpec<CompletionRequest, CompletionResponse> = {
  endpoint: 'completions',
  decode: (input) => decodeCompletionRequest(input.body),
  codec: (descriptor) => descriptor.completions,
  prepare: (req) => req,
  passthrough: (req, d) => req.raw !== undefined && speaksOpenAI(d.provider.descriptor, 'completions'),
  encodeResponse: (res, ctx) => {
    const wire = encodeCompletionResponse(res);
    if (!wire.id) wire.id = `cmpl-${ctx.requestId}`;
    return wire;
  },
  encodeStream: (events, ctx) =>
    encodeCompletionStream(events, {
      id: `cmpl-${ctx.requestId}`,
      created: ctx.created,
      model: ctx.model,
      includeUsage: ctx.request.includeUsage,
    }),
  streamError: streamErrorEvent,
  streamClosing: SSE_DONE,
};

export const embeddingSpec: EndpointSpec<EmbeddingRequest, EmbeddingResponse> = {
  endpoint: 'embeddings',
  decode: (input) => decodeEmbeddingRequest(input.body),
  codec: (descriptor) => descriptor.embeddings,
  prepare: (req) => req,
  passthrough: (req, d) => req.raw !== undefined && speaksOpenAI(d.provider.descriptor, 'embeddings'),
  encodeResponse: (res, ctx) => encodeEmbeddingResponse(res, ctx.request),
  streamError: streamErrorEvent,
};
