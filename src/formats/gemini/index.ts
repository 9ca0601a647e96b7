/**
 * Gemini's generateContent as an inbound chat format: `POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent`, the model and the action in the path.
 */
import { asGatewayError, InvalidRequest } from '../../core/errors.ts';
import { validate } from '../openai-chat/decode.ts';
import type { ChatFormat, InboundRequest } from '../types.ts';
import { chatResponseToWire } from './answer.ts';
import { encodeError, encodeStream, streamError } from './encode.ts';
import { camelCaseFields, generateContentRequestSchema } from './schema.ts';
import { chatRequestFromWire } from './wire.ts';

export const gemini: ChatFormat = {
  name: 'gemini',
  decodeRequest: (input) => {
    if (!input.pathModel) throw new InvalidRequest('The path names no model.', { param: 'model' });
    return chatRequestFromWire(
      validate(generateContentRequestSchema, camelCaseFields(input.body)),
      input.pathModel,
      input.pathStream === true,
    );
  },
  encodeResponse: (res, ctx) => chatResponseToWire(res, { model: ctx.model, responseId: ctx.requestId }),
  encodeStream: (events, ctx) => encodeStream(events, { model: ctx.model, responseId: ctx.requestId }),
  encodeError: (err) => encodeError(asGatewayError(err)),
  streamError,
};

const ACTIONS: Record<string, boolean> = { generateContent: false, streamGenerateContent: true };

/**
 * The model and action of a `models/{model}:{action}` path (the route's wildcard): the action follows the last colon,
 * so model names with colons (`llama3.2:3b`) or slashes survive. An unknown action is a 404.
 */
export function geminiInput(request: { params: unknown; body: unknown; url: string }): Omit<InboundRequest, 'owner'> {
  const rest = (request.params as { '*'?: string })['*'] ?? '';
  const colon = rest.lastIndexOf(':');
  const action = colon === -1 ? '' : rest.slice(colon + 1);
  const stream = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (colon <= 0 || stream === undefined) {
    throw new InvalidRequest(`Unknown endpoint: POST ${request.url.split('?')[0]}`, {
      status: 404,
      kind: 'not_found',
      code: 'unknown_endpoint',
    });
  }
  return { body: request.body, pathModel: rest.slice(0, colon), pathStream: stream };
}
