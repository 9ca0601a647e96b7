/**
 * How many tokens a model's context holds, to trim a conversation's history to: the config's `models.context_windows`,
 * else vendors' published figures by the longest name prefix, else a conservative default.
 */

const PUBLISHED: Record<string, number> = {
  'gpt-4.1': 1_047_576,
  'gpt-4o': 128_000,
  'gpt-4-turbo': 128_000,
  'gpt-4': 8_192,
  'gpt-3.5-turbo': 16_385,
  'gpt-5': 400_000,
  o1: 200_000,
  o3: 200_000,
  'o4-mini': 200_000,
  claude: 200_000,
  'gemini-1.5': 1_048_576,
  'gemini-2': 1_048_576,
  'llama-3.1': 131_072,
  'llama-3.2': 131_072,
  'llama-3.3': 131_072,
  'deepseek-chat': 65_536,
  'deepseek-reasoner': 65_536,
  'qwen-max': 32_768,
  'qwen-plus': 131_072,
  'qwen-turbo': 1_000_000,
  'mistral-large': 131_072,
};

/** For a model nobody published a figure for. */
export const DEFAULT_CONTEXT_WINDOW = 32_768;

export function contextWindowOf(model: string, configured: Record<string, number>): number {
  const exact = configured[model];
  if (exact !== undefined) return exact;
  const name = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  let best = '';
  for (const prefix of [...Object.keys(configured), ...Object.keys(PUBLISHED)]) {
    if (name.startsWith(prefix) && prefix.length > best.length) best = prefix;
  }
  return best ? (configured[best] ?? PUBLISHED[best]!) : DEFAULT_CONTEXT_WINDOW;
}
