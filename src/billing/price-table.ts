/**
 * Built-in list prices in USD per 1M tokens (input, output, cached input, cache write), from the vendors' public pricing pages
 * (openai.com/api/pricing, anthropic.com/pricing, ai.google.dev/gemini-api/docs/pricing, api-docs.deepseek.com,
 * groq.com/pricing, mistral.ai/pricing, docs.x.ai) as of 2025. Gemini 2.5 Pro is priced at its ≤200k-token tier.
 * The config file's `prices` and prices set in the admin API override these.
 */
export const BUILTIN_PRICES: Readonly<
  Record<string, readonly [input: number, output: number, cachedInput?: number, cacheWrite?: number]>
> = {
  // OpenAI
  'gpt-5': [1.25, 10, 0.125],
  'gpt-5-mini': [0.25, 2, 0.025],
  'gpt-5-nano': [0.05, 0.4, 0.005],
  'gpt-4.1': [2, 8, 0.5],
  'gpt-4.1-mini': [0.4, 1.6, 0.1],
  'gpt-4.1-nano': [0.1, 0.4, 0.025],
  'gpt-4o': [2.5, 10, 1.25],
  'gpt-4o-mini': [0.15, 0.6, 0.075],
  'gpt-4-turbo': [10, 30],
  'gpt-4': [30, 60],
  'gpt-3.5-turbo': [0.5, 1.5],
  o1: [15, 60, 7.5],
  'o1-mini': [1.1, 4.4, 0.55],
  o3: [2, 8, 0.5],
  'o3-mini': [1.1, 4.4, 0.55],
  'o4-mini': [1.1, 4.4, 0.275],
  'text-embedding-3-small': [0.02, 0],
  'text-embedding-3-large': [0.13, 0],
  'text-embedding-ada-002': [0.1, 0],
  // Anthropic (cached input: a cache read; cache write: 5-minute cache, 1.25× input)
  'claude-opus-4-5': [5, 25, 0.5, 6.25],
  'claude-opus-4-1': [15, 75, 1.5, 18.75],
  'claude-opus-4': [15, 75, 1.5, 18.75],
  'claude-sonnet-4-5': [3, 15, 0.3, 3.75],
  'claude-sonnet-4': [3, 15, 0.3, 3.75],
  'claude-haiku-4-5': [1, 5, 0.1, 1.25],
  'claude-3-7-sonnet': [3, 15, 0.3, 3.75],
  'claude-3-5-sonnet': [3, 15, 0.3, 3.75],
  'claude-3-5-haiku': [0.8, 4, 0.08, 1],
  'claude-3-opus': [15, 75, 1.5, 18.75],
  'claude-3-haiku': [0.25, 1.25, 0.03, 0.3],
  // Google
  'gemini-2.5-pro': [1.25, 10, 0.31],
  'gemini-2.5-flash': [0.3, 2.5, 0.075],
  'gemini-2.5-flash-lite': [0.1, 0.4, 0.025],
  'gemini-2.0-flash': [0.1, 0.4, 0.025],
  'gemini-2.0-flash-lite': [0.075, 0.3],
  'gemini-1.5-pro': [1.25, 5],
  'gemini-1.5-flash': [0.075, 0.3],
  'text-embedding-004': [0, 0],
  // DeepSeek
  'deepseek-chat': [0.28, 0.42, 0.028],
  'deepseek-reasoner': [0.28, 0.42, 0.028],
  // Groq-hosted
  'llama-3.3-70b-versatile': [0.59, 0.79],
  'llama-3.1-8b-instant': [0.05, 0.08],
  // Mistral
  'mistral-large-latest': [2, 6],
  'mistral-medium-latest': [0.4, 2],
  'mistral-small-latest': [0.1, 0.3],
  'codestral-latest': [0.3, 0.9],
  // xAI
  'grok-4': [3, 15, 0.75],
  'grok-3': [3, 15, 0.75],
  'grok-3-mini': [0.3, 0.5, 0.075],
};
