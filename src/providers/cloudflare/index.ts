/**
 * Cloudflare Workers AI through its OpenAI-compatible endpoints (`/ai/v1/chat/completions`, `/ai/v1/embeddings`) of an
 * account: `account_id` and an API token as the key; models by their catalogue names (`@cf/meta/llama-3.1-8b-instruct`).
 * A base_url (an AI Gateway `…/workers-ai/v1` URL, say) replaces the account URL.
 */
import type { ProviderConfig } from '../../config/schema.ts';
import { openaiCompatible } from '../openai/compatible.ts';
import { THINKING } from '../openai/thinking.ts';
import type { ProviderDescriptor } from '../types.ts';

export const ACCOUNT_API = 'https://api.cloudflare.com/client/v4/accounts';

function validate(config: ProviderConfig): { path: (string | number)[]; message: string }[] {
  if (config.account_id !== undefined || config.base_url !== undefined) return [];
  return [{ path: ['account_id'], message: 'required: the Cloudflare account id (or a base_url)' }];
}

// No default base URL: it is the account's (from account_id) or a base_url. No model list either: Workers AI's
// OpenAI-compatible endpoints have no /models (its catalogue is a separate search API).
const { defaultBaseUrl: _, ...compatible } = openaiCompatible({
  type: 'cloudflare',
  baseUrl: ACCOUNT_API,
  thinking: THINKING.effort,
  keyFormat: 'a Cloudflare API token with Workers AI permissions',
  listsModels: false,
});

export const cloudflare: ProviderDescriptor = {
  ...compatible,
  settings: ['account_id'],
  baseUrlFor: (config) =>
    config.account_id === undefined ? undefined : `${ACCOUNT_API}/${encodeURIComponent(config.account_id)}/ai/v1`,
  validate,
};
