/** OpenAI and every OpenAI-compatible API (Groq, DeepSeek, OpenRouter, Cloudflare's OpenAI endpoint, vLLM, LM Studio, …). */
import type { ProviderDescriptor } from '../types.ts';
import { buildPassthrough, encodeChat, encodeCompletion, encodeEmbedding } from './request.ts';
import { decodeChat, decodeCompletion, decodeEmbedding, errorMessage } from './response.ts';
import { decodeChatStream, decodeCompletionStream } from './stream.ts';

export const openai: ProviderDescriptor = {
  type: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1',
  requiresKey: true,
  passthrough: { endpoints: ['chat', 'completions', 'embeddings'], build: buildPassthrough },
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  completions: { encode: encodeCompletion, decode: decodeCompletion, decodeStream: decodeCompletionStream },
  embeddings: { encode: encodeEmbedding, decode: decodeEmbedding },
  errorMessage,
};
