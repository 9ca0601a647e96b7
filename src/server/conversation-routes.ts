/** `/v1/conversations`: a client's server-side conversations, listed, read and deleted (its own only). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InvalidRequest } from '../core/errors.ts';
import { messagesToWire } from '../formats/openai-chat/wire.ts';
import type { Gateway } from '../gateway.ts';
import type { ConversationSummary } from '../store/conversations.ts';
import { ownerOf } from './auth.ts';
import { responseHeaders } from './headers.ts';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Conversations last used before this Unix time in ms (the last item's `updated_at` to page on). */
  before: z.coerce.number().int().positive().optional(),
});

function view(c: ConversationSummary): Record<string, unknown> {
  return { object: 'conversation', ...c };
}

function notFound(id: string): InvalidRequest {
  return new InvalidRequest(`No conversation with id '${id}'.`, {
    status: 404,
    kind: 'not_found',
    code: 'conversation_not_found',
  });
}

export function registerConversationRoutes(relay: FastifyInstance, gw: Gateway): void {
  relay.get('/v1/conversations', async (request, reply) => {
    const parsed = listQuery.safeParse(request.query ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidRequest(`Invalid ${String(issue.path[0])}: ${issue.message}`, { param: String(issue.path[0]) });
    }
    const { limit, before } = parsed.data;
    const found = await gw.conversations.list(ownerOf(request.client), limit + 1, before);
    reply.headers(responseHeaders(request.id));
    return { object: 'list', data: found.slice(0, limit).map(view), has_more: found.length > limit };
  });

  relay.get<{ Params: { id: string } }>('/v1/conversations/:id', async (request, reply) => {
    const owner = ownerOf(request.client);
    const { id } = request.params;
    const summary = await gw.conversations.summary(owner, id);
    const messages = summary && (await gw.conversations.history(owner, id));
    if (!summary || !messages) throw notFound(id);
    reply.headers(responseHeaders(request.id));
    return { ...view(summary), messages: messagesToWire(messages) };
  });

  relay.delete<{ Params: { id: string } }>('/v1/conversations/:id', async (request, reply) => {
    const { id } = request.params;
    if (!(await gw.conversations.delete(ownerOf(request.client), id))) throw notFound(id);
    reply.headers(responseHeaders(request.id));
    return { id, object: 'conversation.deleted', deleted: true };
  });
}
