/** Azure OpenAI: OpenAI's wire format behind per-deployment URLs, an api-version and an `api-key` header. */
import type { ProviderConfig } from '../../config/schema.ts';
import { decodeChat, decodeCompletion, decodeEmbedding, errorMessage } from '../openai/response.ts';
import { decodeChatStream, decodeCompletionStream } from '../openai/stream.ts';
import type { ProviderDescriptor } from '../types.ts';
import { buildPassthrough, encodeChat, encodeCompletion, encodeEmbedding } from './request.ts';

function validate(config: ProviderConfig): { path: (string | number)[]; message: string }[] {
  if (config.base_url === undefined) {
    return [{ path: ['base_url'], message: 'required: the resource endpoint, e.g. https://NAME.openai.azure.com' }];
  }
  return [];
}

// Answers, streams (a first chunk with `choices: []` and `prompt_filter_results`, `content_filter` finish reasons)
// and error bodies (`{error:{code,message}}`) are OpenAI's, so the OpenAI decoders serve unchanged.
export const azure: ProviderDescriptor = {
  type: 'azure',
  requiresKey: true,
  passthrough: { endpoints: ['chat', 'completions', 'embeddings'], build: buildPassthrough },
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  completions: { encode: encodeCompletion, decode: decodeCompletion, decodeStream: decodeCompletionStream },
  embeddings: { encode: encodeEmbedding, decode: decodeEmbedding },
  validate,
  errorMessage,
};
