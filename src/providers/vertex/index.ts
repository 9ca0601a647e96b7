/**
 * Google Cloud Vertex AI's Gemini models: the Gemini API's wire format at
 * `{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}/publishers/google/models/{model}`.
 * A key is a service account's JSON key (as text); it buys an OAuth access token, cached per key. `project` defaults
 * to the key's project_id, `region` to us-central1 (`global` is the global endpoint).
 */

import { urlMediaType } from '../../formats/gemini/wire.ts';
import { decodeChat, errorMessage } from '../gemini/response.ts';
import { decodeChatStream } from '../gemini/stream.ts';
import type { ProviderDescriptor } from '../types.ts';
import { authorize, unauthorized, validate } from './auth.ts';
import { baseUrlFor, encodeChat, encodeEmbedding } from './request.ts';
import { decodeEmbedding } from './response.ts';

export const vertex: ProviderDescriptor = {
  type: 'vertex',
  baseUrlFor,
  requiresKey: true,
  keyFormat: 'the service account JSON key (its text, or the path of the file)',
  settings: ['project', 'region'],
  // fileData takes public URLs but needs their media type: one the extension does not tell is fetched and inlined.
  imageBytes: (url) => urlMediaType(url) === undefined,
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  embeddings: { encode: encodeEmbedding, decode: decodeEmbedding },
  authorize,
  unauthorized,
  validate,
  errorMessage,
};
