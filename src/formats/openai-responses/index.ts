/**
 * The OpenAI Responses API as an inbound chat format (`POST /v1/responses`), with `previous_response_id` served from the
 * gateway's response store. Made per gateway: `responsesFormat(store)`.
 */
import { asGatewayError, InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest, Message } from '../../core/types.ts';
import type { ResponseStore } from '../../state/response-store.ts';
import { encodeError } from '../openai-chat/errors.ts';
import type { AnswerContext, ChatFormat } from '../types.ts';
import { chatRequestFromResponses, validateResponsesRequest } from './decode.ts';
import {
  encodeResponseObject,
  encodeResponsesStream,
  type ResponseMeta,
  responseId,
  streamErrorEvent,
} from './encode.ts';
import type { WireResponsesRequest } from './schema.ts';

/** What one decoded request needs at answer time beyond the canonical request. */
interface Turn {
  /** The client key's name: stored responses are its own. */
  owner: string;
  wire: WireResponsesRequest;
  /** The conversation so far without the instructions (they are not carried to the next response). */
  conversation: Message[];
}

export function responsesFormat(store: ResponseStore): ChatFormat {
  // Keyed by the decoded request, which the relay hands back in the answer context: no shared field carries it.
  const turns = new WeakMap<ChatRequest, Turn>();

  const turnOf = (ctx: AnswerContext): { turn: Turn; meta: ResponseMeta } => {
    const turn = turns.get(ctx.request);
    if (!turn) throw new Error('openai-responses: an answer to a request this format did not decode');
    return { turn, meta: { id: responseId(ctx.requestId), createdAt: ctx.created, model: ctx.model, wire: turn.wire } };
  };

  const save = async (turn: Turn, id: string, message: Message, response: Record<string, unknown>) => {
    if (turn.wire.store === false) return;
    await store.put(turn.owner, id, { messages: [...turn.conversation, message], response });
  };

  return {
    name: 'openai-responses',
    decodeRequest: async (input) => {
      const wire = validateResponsesRequest(input.body);
      let history: Message[] = [];
      if (wire.previous_response_id) {
        const previous = await store.get(input.owner, wire.previous_response_id);
        if (!previous) throw previousNotFound(wire.previous_response_id);
        history = previous.messages;
      }
      const req = chatRequestFromResponses(wire, history);
      const conversation = wire.instructions ? req.messages.slice(1) : req.messages;
      turns.set(req, { owner: input.owner, wire, conversation });
      return req;
    },
    encodeResponse: (res, ctx) => encodeResponseObject(res, turnOf(ctx).meta),
    afterResponse: (res, encoded, ctx) => {
      const { turn, meta } = turnOf(ctx);
      return save(turn, meta.id, res.message, encoded);
    },
    encodeStream: (events, ctx) => {
      const { turn, meta } = turnOf(ctx);
      return encodeResponsesStream(events, meta, ({ response, message }) => save(turn, meta.id, message, response));
    },
    encodeError: (err) => encodeError(asGatewayError(err)),
    streamError: (err) => streamErrorEvent(err),
  };
}

function previousNotFound(id: string): InvalidRequest {
  return new InvalidRequest(`Previous response with id '${id}' not found.`, {
    param: 'previous_response_id',
    code: 'previous_response_not_found',
  });
}

/** `GET`/`DELETE /v1/responses/{id}` of an id this client does not have. */
export function responseNotFound(id: string): InvalidRequest {
  return new InvalidRequest(`No response found with id '${id}'.`, { status: 404, kind: 'not_found' });
}
