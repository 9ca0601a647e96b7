/**
 * Volcengine Ark (火山方舟), which simple-one-api calls `huoshan`: OpenAI's wire format at
 * https://ark.cn-beijing.volces.com/api/v3 (bots under /api/v3/bots). A key is an Ark API key, or a Volcengine access
 * key pair `ACCESS_KEY:SECRET_KEY`, which buys a temporary API key per endpoint (`ep-…`) or bot (`bot-…`) model.
 */
import type { ProviderConfig } from '../../config/schema.ts';
import { decodeChat, decodeEmbedding, errorMessage } from '../openai/response.ts';
import { decodeChatStream } from '../openai/stream.ts';
import { keyPair } from '../qianfan/auth.ts';
import type { ProviderDescriptor } from '../types.ts';
import { authorize, KEY_FORM, resourceOf } from './auth.ts';
import { buildPassthrough, encodeChat, encodeEmbedding } from './request.ts';

type Problem = { path: (string | number)[]; message: string };

/** Access keys reach endpoints and bots only: every model such a provider serves must name one upstream. */
function modelProblems(config: ProviderConfig): Problem[] {
  const problems: Problem[] = [];
  const check = (upstream: string, path: (string | number)[]) => {
    if (!resourceOf(upstream)) {
      problems.push({
        path,
        message: `'${upstream}' is not an endpoint (ep-…) or bot (bot-…) ID, which an access key pair needs: map it to one in model_map, or use an Ark API key`,
      });
    }
  };
  for (const field of ['models', 'embedding_models'] as const) {
    config[field].forEach((model, index) => {
      if (!Object.hasOwn(config.model_map, model)) check(model, [field, index]);
    });
  }
  for (const [model, upstream] of Object.entries(config.model_map)) check(upstream, ['model_map', model]);
  return problems;
}

function validate(config: ProviderConfig): Problem[] {
  const problems: Problem[] = [];
  if (config.enabled && config.keys.length === 0) {
    problems.push({ path: ['keys'], message: `required: an Ark API key, or ${KEY_FORM}` });
  }
  config.keys.forEach((key, index) => {
    if (key.includes(':') && !keyPair(key)) {
      problems.push({
        path: ['keys', index],
        message: `must be an Ark API key, or ${KEY_FORM} (the two joined by a colon)`,
      });
    }
  });
  if (config.keys.some((key) => keyPair(key))) problems.push(...modelProblems(config));
  return problems;
}

// Answers, streams and error bodies are OpenAI's, so the OpenAI decoders serve unchanged.
export const ark: ProviderDescriptor = {
  type: 'ark',
  defaultBaseUrl: 'https://ark.cn-beijing.volces.com/api/v3',
  requiresKey: true,
  keyFormat: `an Ark API key, or ${KEY_FORM}`,
  passthrough: { endpoints: ['chat', 'embeddings'], build: buildPassthrough },
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  embeddings: { encode: encodeEmbedding, decode: decodeEmbedding },
  authorize,
  validate,
  errorMessage,
};
