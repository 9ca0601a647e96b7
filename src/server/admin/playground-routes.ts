/**
 * The admin UI's playground: a logged-in user chats with any model their group may use, without an API key. Requests
 * run as the user's playground token through the same relay as /v1/chat/completions (routing, limits, billing, logs).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { openaiChat } from '../../formats/openai-chat/index.ts';
import type { Gateway } from '../../gateway.ts';
import { chatRelay } from '../endpoints.ts';
import { visibleModels } from '../model-list.ts';
import { type AdminRoute, route } from './api.ts';

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
const relays = new WeakMap<Gateway, Handler>();

function relayOf(gw: Gateway): Handler {
  let relay = relays.get(gw);
  if (!relay) {
    relay = chatRelay(gw, openaiChat);
    relays.set(gw, relay);
  }
  return relay;
}

export const playgroundModelShape = z.object({ id: z.string(), owned_by: z.string() });

const models = route({
  method: 'GET',
  url: '/api/playground/models',
  tag: 'playground',
  summary: 'The models the caller may use (their group’s channels, aliases and virtual models)',
  access: 'user',
  response: z.array(playgroundModelShape),
  handler: async ({ gw, principal, request }) =>
    visibleModels(gw, await gw.keys.playground(principal.userId, request.ip)).map((m) => ({
      id: m.id,
      owned_by: m.owned_by,
    })),
});

const chat = route({
  method: 'POST',
  url: '/api/playground/chat/completions',
  tag: 'playground',
  summary:
    'A Chat Completions request as the caller (stream or not), billed to their balance and logged under the token “playground”',
  access: 'user',
  body: z
    .looseObject({ model: z.string(), messages: z.array(z.unknown()), stream: z.boolean().optional() })
    .describe('the body of POST /v1/chat/completions'),
  response: z.unknown().describe('what POST /v1/chat/completions answers: a chat.completion, or its SSE stream'),
  handler: async ({ gw, principal, request, reply }) => {
    request.client = await gw.keys.playground(principal.userId, request.ip);
    await relayOf(gw)(request, reply);
  },
});

export const PLAYGROUND_ROUTES: readonly AdminRoute[] = [models, chat];
