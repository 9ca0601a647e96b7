/**
 * Google's Gemini API (generativelanguage.googleapis.com): generateContent and streamGenerateContent with an API key
 * in `x-goog-api-key`; embeddings through batchEmbedContents.
 */
import { urlMediaType } from '../../formats/gemini/wire.ts';
import type { ProviderDescriptor } from '../types.ts';
import { geminiModelList } from './models.ts';
import { encodeChat, encodeEmbedding } from './request.ts';
import { decodeChat, decodeEmbedding, errorMessage, errorStatus } from './response.ts';
import { decodeChatStream } from './stream.ts';

export const gemini: ProviderDescriptor = {
  type: 'gemini',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  requiresKey: true,
  keyFormat: 'a Gemini API key (AIza…)',
  modelList: geminiModelList,
  // fileData takes public URLs but needs their media type: one the extension does not tell is fetched and inlined.
  imageBytes: (url) => urlMediaType(url) === undefined,
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  embeddings: { encode: encodeEmbedding, decode: decodeEmbedding },
  errorStatus,
  errorMessage,
};
