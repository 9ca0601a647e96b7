/**
 * Baidu Qianfan's v1 API (ERNIE and the other "wenxinworkshop" models at aip.baidubce.com), as simple-one-api calls it.
 * A key is the application's API Key and Secret Key joined by a colon, `API_KEY:SECRET_KEY`: they buy an access token
 * (cached per key, renewed before it expires) that every call carries. Model names such as `ERNIE-Speed-8K` map to their
 * endpoint; any other name is used as the endpoint itself.
 */
import type { ProviderConfig } from '../../config/schema.ts';
import type { ProviderDescriptor } from '../types.ts';
import { authorize, KEY_FORM, keyPairProblems } from './auth.ts';
import { encodeChat, encodeEmbedding } from './request.ts';
import { decodeChat, decodeEmbedding, errorMessage } from './response.ts';
import { decodeChatStream } from './stream.ts';

function validate(config: ProviderConfig): { path: (string | number)[]; message: string }[] {
  return keyPairProblems(config, KEY_FORM);
}

export const qianfan: ProviderDescriptor = {
  type: 'qianfan',
  defaultBaseUrl: 'https://aip.baidubce.com',
  requiresKey: true,
  keyFormat: KEY_FORM,
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  embeddings: { encode: encodeEmbedding, decode: decodeEmbedding },
  authorize,
  validate,
  errorMessage,
};
