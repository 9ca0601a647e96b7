/** The provider registry: adding a provider is one folder and one line here. */
import { anthropic } from './anthropic/index.ts';
import { ark } from './ark/index.ts';
import { azure } from './azure/index.ts';
import { bedrock } from './bedrock/index.ts';
import { cloudflare } from './cloudflare/index.ts';
import { coze } from './coze/index.ts';
import { fitten } from './fitten/index.ts';
import { gemini } from './gemini/index.ts';
import { hunyuan } from './hunyuan/index.ts';
import { ollama } from './ollama/index.ts';
import { PRESETS } from './openai/compatible.ts';
import { openai } from './openai/index.ts';
import { qianfan } from './qianfan/index.ts';
import type { ProviderDescriptor } from './types.ts';
import { vertex } from './vertex/index.ts';

export const PROVIDERS: Readonly<Record<string, ProviderDescriptor>> = Object.freeze({
  openai,
  azure,
  ollama,
  qianfan,
  hunyuan,
  ark,
  cloudflare,
  gemini,
  vertex,
  coze,
  fitten,
  anthropic,
  bedrock,
  ...Object.fromEntries(PRESETS.map((preset) => [preset.type, preset])),
});

export function providerDescriptor(type: string): ProviderDescriptor | undefined {
  return Object.hasOwn(PROVIDERS, type) ? PROVIDERS[type] : undefined;
}
