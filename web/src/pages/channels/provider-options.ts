/** How provider types are offered in the form: grouped by kind with readable names, and base URL presets. */
import type { ComboboxItem, ComboboxItemGroup, ComboboxParsedItem, OptionsFilter } from '@mantine/core';
import type { TFunction } from 'i18next';
import type { ProviderType } from '../../api/types.ts';

/** Types the page has a name for; a type the gateway adds later shows under its own name in "Other". */
const KINDS = {
  compatible: [
    'openai',
    'groq',
    'deepseek',
    'openrouter',
    'mistral',
    'together',
    'xai',
    'siliconflow',
    'moonshot',
    'zhipu',
    'qwen',
  ],
  cloud: ['anthropic', 'gemini', 'vertex', 'azure', 'bedrock', 'cloudflare'],
  china: ['qianfan', 'hunyuan', 'ark', 'coze', 'fitten'],
  local: ['ollama'],
} as const;

type Kind = keyof typeof KINDS;
const KIND_ORDER: Kind[] = ['compatible', 'cloud', 'china', 'local'];
type KnownType = (typeof KINDS)[Kind][number];

const KNOWN: readonly string[] = Object.values(KINDS).flat();
const isKnown = (type: string): type is KnownType => KNOWN.includes(type);

function typeLabel(t: TFunction<'channels'>, type: string): string {
  return isKnown(type) ? t(`types.${type}`) : type;
}

/**
 * The type select's options: known kinds in order, then anything else the gateway offers, and the channel's `current`
 * type even when the gateway no longer offers it (so the form still shows what the channel is).
 */
export function typeOptions(
  t: TFunction<'channels'>,
  providers: ProviderType[],
  current: string,
): ComboboxItemGroup<ComboboxItem>[] {
  const offered = new Set([...providers.map((p) => p.type), current]);
  const item = (type: string): ComboboxItem => ({ value: type, label: typeLabel(t, type) });
  const groups = KIND_ORDER.map((kind) => ({
    group: t(`kinds.${kind}`),
    items: KINDS[kind].filter((type) => offered.has(type)).map(item),
  }));
  const others = [...offered].filter((type) => type && !isKnown(type)).map(item);
  return [...groups, { group: t('kinds.other'), items: others }].filter((g) => g.items.length);
}

/** Searching the type select matches the readable name or the type itself ("百度千帆" or "qianfan"). */
export const typeFilter: OptionsFilter = ({ options, search }) => {
  const needle = search.trim().toLowerCase();
  const hit = (o: ComboboxItem) => o.label.toLowerCase().includes(needle) || o.value.includes(needle);
  return options.flatMap((o): ComboboxParsedItem[] => {
    if (!('group' in o)) return hit(o) ? [o] : [];
    const items = o.items.filter(hit);
    return items.length ? [{ ...o, items }] : [];
  });
};

/** Servers people run themselves that speak OpenAI's API, for the `openai` type's base URL. */
const LOCAL_SERVERS: Record<string, string> = {
  'http://localhost:11434/v1': 'Ollama',
  'http://localhost:8000/v1': 'vLLM',
  'http://localhost:1234/v1': 'LM Studio',
  'http://localhost:4000/v1': 'LiteLLM',
};

/** Base URLs worth offering for a type: for `openai`, every compatible vendor's and common local servers'. */
export function baseUrlPresets(
  t: TFunction<'channels'>,
  type: string,
  providers: ProviderType[],
): { group: string; items: { url: string; name: string }[] }[] {
  if (type !== 'openai') return [];
  const compatible: readonly string[] = KINDS.compatible;
  const vendors = providers
    .filter((p) => p.default_base_url && compatible.includes(p.type))
    .map((p) => ({ url: p.default_base_url ?? '', name: typeLabel(t, p.type) }));
  const local = Object.entries(LOCAL_SERVERS).map(([url, name]) => ({ url, name }));
  return [
    { group: t('kinds.compatible'), items: vendors },
    { group: t('kinds.local'), items: local },
  ];
}
