/** Anthropic's Messages API (api.anthropic.com and gateways that speak it): `x-api-key` and `anthropic-version`. */
import type { ProviderDescriptor } from '../types.ts';
import { anthropicModelList } from './models.ts';
import { AnthropicUsageScanner, buildNative, nativeUsage } from './passthrough.ts';
import { encodeChat } from './request.ts';
import { decodeChat, errorMessage } from './response.ts';
import { decodeChatStream } from './stream.ts';

export const anthropic: ProviderDescriptor = {
  type: 'anthropic',
  defaultBaseUrl: 'https://api.anthropic.com',
  requiresKey: true,
  keyFormat: 'an Anthropic API key (sk-ant-…)',
  modelList: anthropicModelList,
  native: { format: 'anthropic', build: buildNative, scanner: () => new AnthropicUsageScanner(), usage: nativeUsage },
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  // Anthropic's 529 (overloaded) is a 503 to the router: retried on another deployment.
  errorStatus: (status) => (status === 529 ? 503 : status),
  errorMessage,
};
