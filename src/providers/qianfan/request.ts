/** Builds Qianfan v1 ("wenxinworkshop") chat and embedding calls; the access token is added by `authorize`. */
import { InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest, EmbeddingRequest, Message } from '../../core/types.ts';
import { refuseUnsupported } from '../../formats/openai-chat/wire.ts';
import type { Target, UpstreamCall } from '../types.ts';

const CHAT_PATH = '/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/';
const EMBEDDINGS_PATH = '/rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/';

// Model name -> chat endpoint, as simple-one-api maps them (pkg/llm/baidu-qianfan/qianfan_model2address.go), less the
// models it sent to a user-deployed address. Any other name is taken to be the endpoint itself (e.g. `yi_34b_chat`).
const CHAT_ENDPOINTS: Readonly<Record<string, string>> = {
  'ERNIE-4.0-8K': 'completions_pro',
  'ERNIE-4.0-8K-Latest': 'ernie-4.0-8k-latest',
  'ERNIE-4.0-8K-Preview': 'ernie-4.0-8k-preview',
  'ERNIE-4.0-8K-0329': 'ernie-4.0-8k-0329',
  'ERNIE-4.0-8K-0613': 'ernie-4.0-8k-0613',
  'ERNIE-4.0-Turbo-8K': 'ernie-4.0-turbo-8k',
  'ERNIE-4.0-Turbo-8K-Preview': 'ernie-4.0-turbo-8k-preview',
  'ERNIE-3.5-8K': 'completions',
  'ERNIE-3.5-8K-Preview': 'ernie-3.5-8k-preview',
  'ERNIE-3.5-8K-0329': 'ernie-3.5-8k-0329',
  'ERNIE-3.5-128K': 'ernie-3.5-128k',
  'ERNIE-3.5-8K-0613': 'ernie-3.5-8k-0613',
  'ERNIE-3.5-8K-0701': 'ernie-3.5-8k-0701',
  'ERNIE-Speed-8K': 'ernie_speed',
  'ERNIE-Speed-128K': 'ernie-speed-128k',
  'ERNIE-Lite-8K-0922': 'eb-instant',
  'ERNIE-Lite-8K': 'ernie-lite-8k',
  'ERNIE-Tiny-8K': 'ernie-tiny-8k',
  'ERNIE-Novel-8K': 'ernie-novel-8k',
  'ERNIE-Character-8K': 'ernie-char-8k',
  'ERNIE-Functions-8K': 'ernie-func-8k',
  'Qianfan-Dynamic-8K': 'qianfan-dynamic-8k',
  'ERNIE-Speed-AppBuilder-8K': 'ai_apaas',
  'ERNIE-Lite-AppBuilder-8K-0614': 'ai_apaas_lite',
  'Gemma-7B-it': 'gemma_7b_it',
  'Yi-34B-Chat': 'yi_34b_chat',
  'Mixtral-8x7B-Instruct': 'mixtral_8x7b_instruct',
  'Llama-2-7b-chat': 'llama_2_7b',
  'Qianfan-Chinese-Llama-2-7B': 'qianfan_chinese_llama_2_7b',
  'Llama-2-13b-chat': 'llama_2_13b',
  'Qianfan-Chinese-Llama-2-13B-v1': 'qianfan_chinese_llama_2_13b',
  'Llama-2-70b-chat': 'llama_2_70b',
  'Qianfan-Chinese-Llama-2-70B': 'qianfan_chinese_llama_2_70b',
  'Meta-Llama-3-8B-Instruct': 'llama_3_8b',
  'Meta-Llama-3-70B-Instruct': 'llama_3_70b',
  'ChatGLM2-6B-32K': 'chatglm2_6b_32k',
  'XuanYuan-70B-Chat-4bit': 'xuanyuan_70b_chat',
  ChatLaw: 'chatlaw',
  'AquilaChat-7B': 'aquilachat_7b',
  'BLOOMZ-7B': 'bloomz_7b1',
  'Qianfan-BLOOMZ-7B-compressed': 'qianfan_bloomz_7b_compressed',
};

// The embedding models of bce-qianfan-sdk (go/qianfan/embdding.go).
const EMBEDDING_ENDPOINTS: Readonly<Record<string, string>> = {
  'Embedding-V1': 'embedding-v1',
  'bge-large-en': 'bge_large_en',
  'bge-large-zh': 'bge_large_zh',
  'tao-8k': 'tao_8k',
};

// max_output_tokens bounds by model name prefix, as simple-one-api clamps them (pkg/adapter/qianfan_openai.go).
const MAX_OUTPUT_TOKENS: readonly [string, number][] = [
  ['ernie-4.0-8k', 2048],
  ['ernie-3.5-8k', 2048],
  ['ernie-3.5-128k', 4096],
  ['ernie-speed-8k', 2048],
  ['ernie-speed-128k', 4096],
  ['ernie-lite-8k', 1024],
  ['ernie-lite-128k', 2048],
  ['ernie-tiny-8k', 2048],
];
const MIN_OUTPUT_TOKENS = 2;

const byLowerCase = (table: Readonly<Record<string, string>>): ReadonlyMap<string, string> =>
  new Map(Object.entries(table).map(([name, endpoint]) => [name.toLowerCase(), endpoint]));
const CHAT_BY_NAME = byLowerCase(CHAT_ENDPOINTS);
const EMBEDDING_BY_NAME = byLowerCase(EMBEDDING_ENDPOINTS);

/** The endpoint path segment for a model name (case-insensitive), or the name itself when it is not a known model. */
export function chatEndpoint(model: string): string {
  return CHAT_BY_NAME.get(model.toLowerCase()) ?? model;
}

export function embeddingEndpoint(model: string): string {
  return EMBEDDING_BY_NAME.get(model.toLowerCase()) ?? model;
}

function headers(target: Target): Record<string, string> {
  return { ...target.provider.headers, 'content-type': 'application/json' };
}

function post(target: Target, path: string, body: Record<string, unknown>): UpstreamCall {
  return { url: target.baseUrl + path, headers: headers(target), body: JSON.stringify(body) };
}

export interface QianfanMessage {
  role: 'user' | 'assistant' | 'function';
  content: string;
  name?: string;
  function_call?: { name: string; arguments: string };
}

function textOf(content: Message['content'], provider: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (part.type === 'text') return part.text;
      return refuseUnsupported(part.type === 'image' ? 'Image input' : 'Audio input', provider);
    })
    .join('\n');
}

/**
 * Qianfan takes the system prompt as a top-level field and the turns as strictly alternating user and assistant
 * messages: system and developer messages become `system`, consecutive turns of one role are joined, tool results
 * become `function` messages named by their tool.
 */
export function messagesToQianfan(messages: Message[], provider: string): { system?: string; turns: QianfanMessage[] } {
  const system: string[] = [];
  const turns: QianfanMessage[] = [];
  const toolNames = new Map<string, string>();
  for (const [i, m] of messages.entries()) {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(textOf(m.content, provider));
      continue;
    }
    const content = textOf(m.content, provider);
    if (m.role === 'tool') {
      const name = m.name ?? (m.toolCallId === undefined ? undefined : toolNames.get(m.toolCallId)) ?? '';
      turns.push({ role: 'function', name, content });
      continue;
    }
    const calls = m.role === 'assistant' ? (m.toolCalls ?? []) : [];
    if (calls.length > 1) {
      throw new InvalidRequest(
        `Several tool calls in one assistant turn (messages[${i}]) are not supported by the provider '${provider}' serving this model; it calls one function per turn.`,
        { param: `messages[${i}].tool_calls`, code: 'unsupported_feature' },
      );
    }
    const call = calls[0];
    const last = turns.at(-1);
    if (!call && last && last.role === m.role && !last.function_call) {
      last.content = last.content ? `${last.content}\n${content}` : content;
      continue;
    }
    const turn: QianfanMessage = { role: m.role === 'assistant' ? 'assistant' : 'user', content };
    if (call) {
      toolNames.set(call.id, call.name);
      turn.function_call = { name: call.name, arguments: call.arguments };
    }
    turns.push(turn);
  }
  return system.length ? { system: system.join('\n\n'), turns } : { turns };
}

/** Qianfan's temperature is in (0, 1]: OpenAI's 0 and values above 1 are brought to its nearest. */
function temperatureFor(value: number): number {
  return Math.min(1, Math.max(0.01, value));
}

function maxOutputTokens(model: string, requested: number): number {
  const bound = MAX_OUTPUT_TOKENS.find(([prefix]) => model.toLowerCase().startsWith(prefix))?.[1];
  return Math.max(MIN_OUTPUT_TOKENS, bound === undefined ? requested : Math.min(bound, requested));
}

function functionsFor(req: ChatRequest, body: Record<string, unknown>): void {
  if (!req.tools?.length || req.toolChoice === 'none') return;
  body.functions = req.tools.map((t) => ({
    name: t.name,
    description: t.description ?? '',
    parameters: t.parameters ?? { type: 'object', properties: {} },
  }));
  // `required` can be forced only when there is one function to force.
  const forced =
    typeof req.toolChoice === 'object'
      ? req.toolChoice.name
      : req.toolChoice === 'required' && req.tools.length === 1
        ? req.tools[0]!.name
        : undefined;
  if (forced !== undefined) body.tool_choice = { type: 'function', function: { name: forced } };
}

export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  const provider = target.provider.name;
  if (req.n !== undefined && req.n > 1) refuseUnsupported('Several choices (n > 1)', provider);
  if (req.responseFormat?.type === 'json_schema') refuseUnsupported('A JSON schema response format', provider);
  const { system, turns } = messagesToQianfan(req.messages, provider);
  const body: Record<string, unknown> = { messages: turns, stream: req.stream };
  if (system !== undefined) body.system = system;
  if (req.temperature !== undefined) body.temperature = temperatureFor(req.temperature);
  if (req.topP !== undefined) body.top_p = req.topP;
  // penalty_score runs from 1 (none) to 2; a positive frequency_penalty (0..2) maps onto it.
  if (req.frequencyPenalty !== undefined && req.frequencyPenalty > 0) {
    body.penalty_score = Math.min(2, 1 + req.frequencyPenalty / 2);
  }
  if (req.stop?.length) body.stop = req.stop;
  if (req.maxTokens !== undefined) body.max_output_tokens = maxOutputTokens(target.upstreamModel, req.maxTokens);
  if (req.user !== undefined) body.user_id = req.user;
  if (req.responseFormat?.type === 'json_object') body.response_format = 'json_object';
  functionsFor(req, body);
  return post(target, CHAT_PATH + encodeURIComponent(chatEndpoint(target.upstreamModel)), body);
}

export function encodeEmbedding(req: EmbeddingRequest, target: Target): UpstreamCall {
  const input = typeof req.input === 'string' ? [req.input] : req.input;
  if (!input.every((item) => typeof item === 'string')) {
    refuseUnsupported('Embedding input given as token arrays', target.provider.name);
  }
  if (req.dimensions !== undefined) refuseUnsupported('Choosing the embedding dimensions', target.provider.name);
  const body: Record<string, unknown> = { input };
  if (req.user !== undefined) body.user_id = req.user;
  return post(target, EMBEDDINGS_PATH + encodeURIComponent(embeddingEndpoint(target.upstreamModel)), body);
}
