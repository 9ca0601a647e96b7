/**
 * OpenAI-compatible upstreams as descriptors: the openai provider itself and the presets users name by vendor (groq,
 * deepseek, …), which differ in base URL, where reasoning comes back, and how thinking is switched on.
 */
import type { ProviderDescriptor } from '../types.ts';
import { openaiModelList } from './models.ts';
import { buildPassthrough, encodeCompletion, encodeEmbedding } from './request.ts';
import { decodeChat, decodeCompletion, decodeEmbedding, errorMessage } from './response.ts';
import { decodeChatStream, decodeCompletionStream } from './stream.ts';
import { encodeChatWith, THINKING, type ThinkingStyle } from './thinking.ts';

export interface CompatibleSpec {
  type: string;
  baseUrl: string;
  /** Where answers carry reasoning (default `reasoning_content`). */
  reasoningField?: 'reasoning_content' | 'reasoning';
  thinking: ThinkingStyle;
  /** Serves embeddings at /embeddings (default true). */
  embeddings?: boolean;
  /** Serves legacy completions at /completions (default false). */
  completions?: boolean;
  /** What its keys look like, for a form. */
  keyFormat: string;
  /** Lists its models at /models (default true). */
  listsModels?: boolean;
}

export function openaiCompatible(spec: CompatibleSpec): ProviderDescriptor {
  const embeddings = spec.embeddings !== false;
  const completions = spec.completions === true;
  const descriptor: ProviderDescriptor = {
    type: spec.type,
    defaultBaseUrl: spec.baseUrl,
    requiresKey: true,
    keyFormat: spec.keyFormat,
    passthrough: {
      endpoints: [
        'chat',
        ...(completions ? (['completions'] as const) : []),
        ...(embeddings ? (['embeddings'] as const) : []),
      ],
      build: buildPassthrough,
      ...(spec.reasoningField ? { reasoningField: spec.reasoningField } : {}),
    },
    chat: { encode: encodeChatWith(spec.thinking), decode: decodeChat, decodeStream: decodeChatStream },
    errorMessage,
  };
  if (completions) {
    descriptor.completions = {
      encode: encodeCompletion,
      decode: decodeCompletion,
      decodeStream: decodeCompletionStream,
    };
  }
  if (embeddings) descriptor.embeddings = { encode: encodeEmbedding, decode: decodeEmbedding };
  if (spec.listsModels !== false) descriptor.modelList = openaiModelList;
  return descriptor;
}

/** OpenAI-compatible vendors by name: `type: groq` needs no base_url. */
export const PRESETS: readonly ProviderDescriptor[] = [
  openaiCompatible({
    type: 'groq',
    keyFormat: 'a Groq API key (gsk_…)',
    baseUrl: 'https://api.groq.com/openai/v1',
    reasoningField: 'reasoning',
    thinking: THINKING.groq,
  }),
  openaiCompatible({
    type: 'deepseek',
    keyFormat: 'a DeepSeek API key (sk-…)',
    baseUrl: 'https://api.deepseek.com/v1',
    thinking: THINKING.byModel,
    embeddings: false,
    completions: true,
  }),
  openaiCompatible({
    type: 'openrouter',
    keyFormat: 'an OpenRouter API key (sk-or-…)',
    baseUrl: 'https://openrouter.ai/api/v1',
    reasoningField: 'reasoning',
    thinking: THINKING.openrouter,
    completions: true,
  }),
  openaiCompatible({
    type: 'mistral',
    keyFormat: 'a Mistral API key',
    baseUrl: 'https://api.mistral.ai/v1',
    thinking: THINKING.byModel,
  }),
  openaiCompatible({
    type: 'together',
    keyFormat: 'a Together AI API key',
    baseUrl: 'https://api.together.xyz/v1',
    reasoningField: 'reasoning',
    thinking: THINKING.byModel,
    completions: true,
  }),
  openaiCompatible({
    type: 'xai',
    keyFormat: 'an xAI API key (xai-…)',
    baseUrl: 'https://api.x.ai/v1',
    thinking: THINKING.lowHigh,
  }),
  openaiCompatible({
    type: 'siliconflow',
    keyFormat: 'a SiliconFlow API key (sk-…)',
    baseUrl: 'https://api.siliconflow.cn/v1',
    thinking: THINKING.enableThinking,
  }),
  openaiCompatible({
    type: 'moonshot',
    keyFormat: 'a Moonshot API key (sk-…)',
    baseUrl: 'https://api.moonshot.cn/v1',
    thinking: THINKING.byModel,
    embeddings: false,
  }),
  openaiCompatible({
    type: 'zhipu',
    keyFormat: 'a Zhipu BigModel API key (ID.SECRET)',
    baseUrl: 'https://open.bigmodel.cn/api/paas/v4',
    thinking: THINKING.typeEnabled,
  }),
  openaiCompatible({
    type: 'qwen',
    keyFormat: 'a DashScope API key (sk-…)',
    baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    thinking: THINKING.enableThinking,
  }),
];
