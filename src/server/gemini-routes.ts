/** Gemini's routes: generateContent and streamGenerateContent through the relay, countTokens, and the model list. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ModelNotFound } from '../core/errors.ts';
import { gemini, geminiInput } from '../formats/gemini/index.ts';
import { countPromptTokens } from '../formats/token-count.ts';
import type { Gateway } from '../gateway.ts';
import { type Client, checkModelAccess, ownerOf } from './auth.ts';
import { chatRelay } from './endpoints.ts';
import { responseHeaders } from './headers.ts';

const COUNT_TOKENS = ':countTokens';

/** The models a client may use, as the relay lists them. */
export type VisibleModels = (client: Client) => { id: string; owned_by: string }[];

/** A model as Gemini's `models.list` and `models.get` describe it. */
function geminiModel(id: string): Record<string, unknown> {
  return {
    name: `models/${id}`,
    displayName: id,
    supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
  };
}

/** `:countTokens` with `contents` (or a whole `generateContentRequest`): counted with the o200k tokenizer. */
async function countTokens(request: FastifyRequest, model: string): Promise<{ totalTokens: number }> {
  const body = (request.body ?? {}) as { generateContentRequest?: unknown };
  const inner = body.generateContentRequest ?? request.body;
  checkModelAccess(request.client, model);
  const req = await gemini.decodeRequest({
    body: inner,
    pathModel: model,
    pathStream: false,
    owner: ownerOf(request.client),
  });
  return { totalTokens: countPromptTokens(req) };
}

export function registerGeminiRoutes(relay: FastifyInstance, gw: Gateway, visible: VisibleModels): void {
  const generate = chatRelay(gw, gemini, geminiInput);
  const post = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const rest = (request.params as { '*'?: string })['*'] ?? '';
    if (!rest.endsWith(COUNT_TOKENS)) return generate(request, reply);
    reply.headers(responseHeaders(request.id));
    return countTokens(request, rest.slice(0, -COUNT_TOKENS.length));
  };
  for (const url of ['/v1beta/models/*', '/v1/models/*']) relay.post(url, { config: { format: gemini } }, post);

  relay.get('/v1beta/models', { config: { format: gemini } }, async (request, reply) => {
    reply.headers(responseHeaders(request.id));
    return { models: visible(request.client).map((m) => geminiModel(m.id)) };
  });
  relay.get('/v1beta/models/*', { config: { format: gemini } }, async (request, reply) => {
    const id = ((request.params as { '*'?: string })['*'] ?? '').replace(/^models\//, '');
    if (!visible(request.client).some((m) => m.id === id)) throw new ModelNotFound(id);
    reply.headers(responseHeaders(request.id));
    return geminiModel(id);
  });
}
