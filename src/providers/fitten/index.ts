/**
 * Fitten Code's chat (fc.fittentech.com), as fitten-code-api serves it: a key is the account's `USERNAME:PASSWORD`,
 * which logs in for short-lived access tokens (see auth.ts). Fitten has one chat model, whatever the name; the one
 * fitten-code-api lists is `fitten-code`.
 */
import type { ProviderConfig } from '../../config/schema.ts';
import { errorMessage } from '../openai/response.ts';
import { keyPairProblems } from '../qianfan/auth.ts';
import type { ProviderDescriptor } from '../types.ts';
import { authorize, KEY_FORM, unauthorized } from './auth.ts';
import { encodeChat } from './request.ts';
import { decodeChat } from './response.ts';
import { decodeChatStream } from './stream.ts';

export const FITTEN_MODELS = ['fitten-code'] as const;

export const fitten: ProviderDescriptor = {
  type: 'fitten',
  defaultBaseUrl: 'https://fc.fittentech.com',
  requiresKey: true,
  keyFormat: KEY_FORM,
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  authorize,
  unauthorized,
  validate: (config: ProviderConfig) => keyPairProblems(config, KEY_FORM),
  errorMessage,
};
