/** The Responses API's routes: `POST /v1/responses` through the relay, and a client's stored responses by id. */
import type { FastifyInstance } from 'fastify';
import { responseNotFound, responsesFormat } from '../formats/openai-responses/index.ts';
import type { Gateway } from '../gateway.ts';
import { ownerOf } from './auth.ts';
import { chatRelay } from './endpoints.ts';
import { responseHeaders } from './headers.ts';

export function registerResponsesRoutes(relay: FastifyInstance, gw: Gateway): void {
  const format = responsesFormat(gw.responses);
  const create = chatRelay(gw, format);
  for (const url of ['/v1/responses', '/responses']) relay.post(url, { config: { format } }, create);

  relay.get<{ Params: { id: string } }>('/v1/responses/:id', { config: { format } }, async (request, reply) => {
    const stored = await gw.responses.get(ownerOf(request.client), request.params.id);
    if (!stored) throw responseNotFound(request.params.id);
    reply.headers(responseHeaders(request.id));
    return stored.response;
  });
  relay.delete<{ Params: { id: string } }>('/v1/responses/:id', { config: { format } }, async (request, reply) => {
    const { id } = request.params;
    if (!(await gw.responses.delete(ownerOf(request.client), id))) throw responseNotFound(id);
    reply.headers(responseHeaders(request.id));
    return { id, object: 'response', deleted: true };
  });
}
