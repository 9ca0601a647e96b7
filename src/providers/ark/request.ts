/** Ark speaks OpenAI's wire format: the OpenAI provider's calls, with the bearer token only when the key is an API key. */
import type { ChatRequest, EmbeddingRequest } from '../../core/types.ts';
import { encodeEmbedding as openaiEmbedding, buildPassthrough as openaiPassthrough } from '../openai/request.ts';
import { encodeChatWith, THINKING } from '../openai/thinking.ts';
import { keyPair } from '../qianfan/auth.ts';
import type { Endpoint, Target, UpstreamCall } from '../types.ts';

function arkHeaders(target: Target): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...target.provider.headers };
  // A key pair never leaves the gateway: `authorize` puts the temporary API key it buys here.
  if (target.key !== undefined && !keyPair(target.key)) headers.authorization = `Bearer ${target.key}`;
  return headers;
}

// Doubao's thinking switch is `thinking: {type: enabled}`.
const openaiChat = encodeChatWith(THINKING.typeEnabled);

const readdress = (call: UpstreamCall, target: Target): UpstreamCall => ({ ...call, headers: arkHeaders(target) });

export const encodeChat = (req: ChatRequest, target: Target): UpstreamCall =>
  readdress(openaiChat(req, target), target);

export const encodeEmbedding = (req: EmbeddingRequest, target: Target): UpstreamCall =>
  readdress(openaiEmbedding(req, target), target);

export const buildPassthrough = (endpoint: Endpoint, body: Record<string, unknown>, target: Target): UpstreamCall =>
  readdress(openaiPassthrough(endpoint, body, target), target);
