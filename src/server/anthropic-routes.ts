/** Anthropic's routes: `POST /v1/messages` through the relay, and `POST /v1/messages/count_tokens`. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Cancellation } from '../core/cancellation.ts';
import { anthropic, validateAnthropic } from '../formats/anthropic/index.ts';
import { countTokensRequestSchema } from '../formats/anthropic/schema.ts';
import { chatRequestFromWire } from '../formats/anthropic/wire.ts';
import { countPromptTokens } from '../formats/token-count.ts';
import type { Gateway } from '../gateway.ts';
import { encodeCountTokens } from '../providers/anthropic/request.ts';
import { decodeCountTokens } from '../providers/anthropic/response.ts';
import { callUpstream, upstreamFailure } from '../router/upstream-call.ts';
import { checkModelAccess } from './auth.ts';
import { chatRelay } from './endpoints.ts';
import { responseHeaders } from './headers.ts';

/**
 * count_tokens: asked of the upstream when the model routes to an `anthropic` provider (its count is the real one),
 * counted with the o200k tokenizer otherwise.
 */
async function countTokens(gw: Gateway, request: FastifyRequest): Promise<{ input_tokens: number }> {
  const wire = validateAnthropic(countTokensRequestSchema, request.body);
  const req = chatRequestFromWire({ ...wire, max_tokens: 1 });
  checkModelAccess(request.client, req.model);
  const userGroup = request.client.account?.group;
  const model = gw.router.resolve(req.model, 'chat', userGroup);
  // No Anthropic deployment to ask: count here, without taking a slot of any deployment's limits.
  if (!gw.router.servedBy(model, 'anthropic')) return { input_tokens: countPromptTokens(req) };
  const cancel = new Cancellation();
  const { value, lease } = await gw.router.run(
    model,
    'chat',
    async (d) => {
      if (d.provider.descriptor.type !== 'anthropic') return countPromptTokens(req);
      const res = await callUpstream(gw.upstreams, d, encodeCountTokens(req, d.target), cancel);
      if (res.status >= 400) throw await upstreamFailure(res, d);
      return decodeCountTokens(await res.body.text());
    },
    cancel,
    userGroup,
  );
  lease.release();
  return { input_tokens: value };
}

export function registerAnthropicRoutes(relay: FastifyInstance, gw: Gateway): void {
  const config = { config: { format: anthropic } };
  relay.post('/v1/messages', config, chatRelay(gw, anthropic));
  relay.post('/v1/messages/count_tokens', config, async (request, reply) => {
    const counted = await countTokens(gw, request);
    reply.headers(responseHeaders(request.id));
    return counted;
  });
}
