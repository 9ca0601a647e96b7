/**
 * AWS Bedrock through the Converse and ConverseStream APIs (bedrock-runtime.{region}.amazonaws.com): model ids and
 * cross-region inference profiles (`us.anthropic.claude-…`) as models; SigV4-signed, or a Bedrock API key.
 */
import type { ProviderDescriptor } from '../types.ts';
import { authorize, DEFAULT_REGION, KEY_FORM, validate } from './auth.ts';
import { encodeChat } from './request.ts';
import { decodeChat, errorMessage } from './response.ts';
import { decodeChatStream } from './stream.ts';

export const bedrock: ProviderDescriptor = {
  type: 'bedrock',
  defaultBaseUrl: `https://bedrock-runtime.${DEFAULT_REGION}.amazonaws.com`,
  baseUrlFor: (config) => (config.region ? `https://bedrock-runtime.${config.region}.amazonaws.com` : undefined),
  requiresKey: true,
  keyFormat: KEY_FORM,
  settings: ['region'],
  // Converse takes image bytes only: images given by URL are fetched by the gateway.
  imageBytes: () => true,
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  authorize: (call, target) => authorize(call, target),
  validate,
  errorMessage,
};
