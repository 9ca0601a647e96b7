/**
 * Coze bots through the v3 chat API (api.coze.com, or api.coze.cn as base_url): the routed model name is the bot id.
 * A key is a personal access token (`pat_…`), or an OAuth JWT app as `jwt:APP_ID:KEY_ID:PRIVATE_KEY`, whose access
 * tokens are bought and renewed by `authorize` (see auth.ts).
 */
import type { ProviderDescriptor } from '../types.ts';
import { authorize, forgetToken, JWT_KEY_FORM, keyProblems } from './auth.ts';
import { encodeChat } from './request.ts';
import { decodeChat, errorMessage, errorStatus } from './response.ts';
import { decodeChatStream } from './stream.ts';

export const coze: ProviderDescriptor = {
  type: 'coze',
  defaultBaseUrl: 'https://api.coze.com',
  requiresKey: true,
  keyFormat: `a personal access token (pat_…), or ${JWT_KEY_FORM}`,
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  authorize,
  unauthorized: (call, target) => forgetToken(target, call),
  validate: keyProblems,
  errorStatus,
  errorMessage,
};
