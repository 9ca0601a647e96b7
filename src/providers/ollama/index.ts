/** Ollama's native API (/api/chat, /api/generate, /api/embed), local or behind an authenticating proxy. */
import type { ProviderConfig } from '../../config/schema.ts';
import { errorMessage } from '../openai/response.ts';
import type { ProviderDescriptor } from '../types.ts';
import { ollamaModelList } from './models.ts';
import { encodeChat, encodeCompletion, encodeEmbedding } from './request.ts';
import { decodeChat, decodeCompletion, decodeEmbedding } from './response.ts';
import { decodeChatStream, decodeCompletionStream } from './stream.ts';

const OPENAI_PATH = /\/v1\/?$/;

function validate(config: ProviderConfig): { path: (string | number)[]; message: string }[] {
  if (config.base_url !== undefined && OPENAI_PATH.test(new URL(config.base_url).pathname)) {
    return [
      {
        path: ['base_url'],
        message:
          "ends in /v1, Ollama's OpenAI-compatible path: give the server's root (http://host:11434) for type ollama, or use type openai with this URL",
      },
    ];
  }
  return [];
}

// No passthrough: Ollama's native API is not OpenAI's wire format. Its error bodies are `{"error":"…"}`,
// which the OpenAI error reader already understands.
export const ollama: ProviderDescriptor = {
  type: 'ollama',
  defaultBaseUrl: 'http://localhost:11434',
  requiresKey: false,
  keyFormat: 'none for a local server; a bearer token for an authenticating proxy in front of it',
  modelList: ollamaModelList,
  // Ollama takes images as base64 only: images given by URL are fetched by the gateway.
  imageBytes: () => true,
  chat: { encode: encodeChat, decode: decodeChat, decodeStream: decodeChatStream },
  completions: { encode: encodeCompletion, decode: decodeCompletion, decodeStream: decodeCompletionStream },
  embeddings: { encode: encodeEmbedding, decode: decodeEmbedding },
  validate,
  errorMessage,
};
