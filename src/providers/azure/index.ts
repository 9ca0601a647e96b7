/** Azure OpenAI: OpenAI's wire format behind per-deployment URLs, an api-version and an `api-key` header. */
import type { ProviderConfig } from '../../config/schema.ts';
import { decodeChat, decodeCompletion, decodeEmbedding, errorMessage } from '../openai/response.ts';
import { decodeChatStream, decodeCompletionStream } from '../openai/stream.ts';
import type { ProviderDescriptor } from '../types.ts';
import { buildPassthrough, encodeChat, encodeCompletion, encodeEmbedding, parseAzureBase } from './request.ts';

const DATED = /^\d{4}-\d{2}-\d{2}/;

type Problem = { path: (string | number)[]; message: string };

function validate(config: ProviderConfig): Problem[] {
  const problems: Problem[] = [];
  if (config.base_url === undefined) {
    problems.push({
      path: ['base_url'],
      message: 'required: the resource endpoint, e.g. https://NAME.openai.azure.com',
    });
  }
  const dated = config.api_version !== undefined && DATED.test(config.api_version);
  if (dated && config.base_url !== undefined && parseAzureBase(config.base_url).v1) {
    problems.push({
      path: ['api_version'],
      message: 'the v1 API (base_url ending in /openai/v1) takes no dated api-version: remove it',
    });
  }
  // Every Azure endpoint wants a key, unless a fixed `api-key` header (e.g. for a gateway in front) is configured.
  const headerKey = Object.keys(config.headers).some((h) => h.toLowerCase() === 'api-key');
  if (config.enabled && config.keys.length === 0 && !headerKey) {
    problems.push({ path: ['keys'], message: 'required: an Azure OpenAI key (sent as the api-key header)' });
  }
  return problems;
}

// Answers, streams (a first chunk with `choices: []` and `prompt_filter_results`, `content_filter` finish reasons)
// and error bodies (`{error:{code,message}}`) are OpenAI's, so the OpenAI decoders serve unchanged.
export const azure: ProviderDescriptor = {
  type: 'azure',
  requiresKey: true,
  keyFormat: 'an Azure OpenAI api-key',
  settings: ['api_version'],
  passthrough: { endpoints: ['chat', 'completions', 'embeddings'], build: buildPassthrough },
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  completions: { encode: encodeCompletion, decode: decodeCompletion, decodeStream: decodeCompletionStream },
  embeddings: { encode: encodeEmbedding, decode: decodeEmbedding },
  validate,
  errorMessage,
};
