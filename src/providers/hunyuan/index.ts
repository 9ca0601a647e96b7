/**
 * Tencent Hunyuan's native ChatCompletions API (hunyuan.tencentcloudapi.com, version 2023-09-01), as simple-one-api
 * calls it through Tencent's SDK. A key is a Tencent Cloud API key pair joined by a colon, `SECRET_ID:SECRET_KEY`; each
 * request is signed with it (TC3-HMAC-SHA256). For Hunyuan's OpenAI-compatible endpoint and its API keys, use type
 * `openai` with base_url https://api.hunyuan.cloud.tencent.com/v1 instead.
 */
import type { ProviderConfig } from '../../config/schema.ts';
import { keyPairProblems } from '../qianfan/auth.ts';
import type { ProviderDescriptor } from '../types.ts';
import { KEY_FORM } from './auth.ts';
import { encodeChat } from './request.ts';
import { decodeChat, errorMessage } from './response.ts';
import { decodeChatStream } from './stream.ts';

function validate(config: ProviderConfig): { path: (string | number)[]; message: string }[] {
  return keyPairProblems(config, KEY_FORM);
}

export const hunyuan: ProviderDescriptor = {
  type: 'hunyuan',
  defaultBaseUrl: 'https://hunyuan.tencentcloudapi.com',
  requiresKey: true,
  keyFormat: KEY_FORM,
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  validate,
  errorMessage,
};
