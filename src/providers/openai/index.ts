/** OpenAI and every OpenAI-compatible API at a base URL of the user's (vLLM, LM Studio, LiteLLM, one-api, …). */
import { openaiCompatible } from './compatible.ts';
import { THINKING } from './thinking.ts';

export const openai = openaiCompatible({
  type: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  keyFormat: 'an OpenAI API key (sk-…); none for a local server at base_url',
  thinking: THINKING.effort,
  completions: true,
});
