/** The channel form's values: made from a channel, checked, turned into the API's body, and API errors placed on fields. */
import type { UseFormReturnType } from '@mantine/form';
import type { TFunction } from 'i18next';
import type { Channel, ProviderType } from '../../api/types.ts';
import { readSettings, textSetting } from './settings.ts';

/** One row of a name → value editor (model map, headers); `id` keeps React's rows stable while they are edited. */
export interface Pair {
  id: string;
  key: string;
  value: string;
}

export type ProxyMode = 'global' | 'none' | 'custom';

/** NumberInput answers '' when emptied. */
type NumberField = number | string;

export interface ChannelFormValues {
  name: string;
  type: string;
  base_url: string;
  /** One key a line. */
  keys: string;
  models: string[];
  embedding_models: string[];
  model_map: Pair[];
  priority: NumberField;
  weight: NumberField;
  limits: { rps: NumberField; rpm: NumberField; concurrency: NumberField; timeout: string; queue_timeout: string };
  system_role: boolean;
  log_content: boolean;
  proxy_mode: ProxyMode;
  proxy_url: string;
  headers: Pair[];
  groups: string[];
  enabled: boolean;
  /** The type's own settings (api_version, region, account_id, project), by name. */
  extra: Record<string, string>;
}

export type ChannelForm = UseFormReturnType<ChannelFormValues>;

let pairSeq = 0;
export const newPair = (key = '', value = ''): Pair => ({ id: `pair-${++pairSeq}`, key, value });
const pairsOf = (record: Record<string, string>): Pair[] => Object.entries(record).map(([k, v]) => newPair(k, v));

/** 60000 → "60s", 1500 → "1500ms", 300000 → "5m": how the config file writes durations. */
function durationText(ms: number | null): string {
  if (ms === null) return '';
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const DURATION = /^\d+(\.\d+)?\s*(ms|s|m|h)?$/i;
const NAME = /^[\w.@-]{1,64}$/;
const PROXY = /^(https?|socks5h?):\/\/\S+$/i;

/** A new channel's values; `extraNames` are every type setting the form may show. */
export function emptyValues(extraNames: readonly string[]): ChannelFormValues {
  return {
    name: '',
    type: 'openai',
    base_url: '',
    keys: '',
    models: [],
    embedding_models: [],
    model_map: [],
    priority: 0,
    weight: 1,
    limits: { rps: '', rpm: '', concurrency: '', timeout: '', queue_timeout: '' },
    system_role: true,
    log_content: false,
    proxy_mode: 'global',
    proxy_url: '',
    headers: [],
    groups: [],
    enabled: true,
    extra: Object.fromEntries(extraNames.map((name) => [name, ''])),
  };
}

export function valuesOf(channel: Channel, extraNames: readonly string[]): ChannelFormValues {
  const s = readSettings(channel.settings);
  const blank = (n: number | null): NumberField => n ?? '';
  return {
    name: channel.name,
    type: channel.type,
    base_url: s.base_url ?? '',
    keys: '',
    models: s.models,
    embedding_models: s.embedding_models,
    model_map: pairsOf(s.model_map),
    priority: s.priority,
    weight: s.weight,
    limits: {
      rps: blank(s.limits.rps),
      rpm: blank(s.limits.rpm),
      concurrency: blank(s.limits.concurrency),
      timeout: durationText(s.limits.timeout),
      queue_timeout: durationText(s.limits.queue_timeout),
    },
    system_role: s.system_role,
    log_content: s.log_content,
    proxy_mode: s.proxy === false ? 'none' : s.proxy ? 'custom' : 'global',
    proxy_url: typeof s.proxy === 'string' ? s.proxy : '',
    headers: pairsOf(s.headers),
    groups: channel.groups,
    enabled: channel.status === 'enabled',
    extra: Object.fromEntries(extraNames.map((name) => [name, textSetting(channel.settings, name)])),
  };
}

export const keyLines = (keys: string): string[] =>
  keys
    .split('\n')
    .map((k) => k.trim())
    .filter(Boolean);

/** Model names as entered: a pasted "a, b c" is split, blanks and repeats dropped. */
const modelList = (names: string[]): string[] => [...new Set(names.flatMap((n) => n.split(/[\s,]+/)).filter(Boolean))];

const recordOf = (pairs: Pair[]): Record<string, string> =>
  Object.fromEntries(pairs.filter((p) => p.key.trim()).map((p) => [p.key.trim(), p.value.trim()]));

const numberOrNothing = (value: NumberField): number | undefined =>
  value === '' || Number.isNaN(Number(value)) ? undefined : Number(value);

/** What POST /api/channels (or PUT, `creating` false) is sent: a new channel leaves empty optional fields out. */
export function bodyOf(values: ChannelFormValues, provider: ProviderType | undefined, creating: boolean) {
  const keys = keyLines(values.keys);
  const limits = {
    rps: numberOrNothing(values.limits.rps),
    rpm: numberOrNothing(values.limits.rpm),
    concurrency: numberOrNothing(values.limits.concurrency),
    timeout: values.limits.timeout.trim() || undefined,
    queue_timeout: values.limits.queue_timeout.trim() || undefined,
  };
  // An edit sends an emptied optional setting as null, which clears it; a new channel just leaves it out.
  const extra: Record<string, string | null> = {};
  for (const name of provider?.settings ?? []) {
    const value = values.extra[name]?.trim();
    if (value) extra[name] = value;
    else if (!creating) extra[name] = null;
  }
  const proxy = values.proxy_mode === 'none' ? false : values.proxy_mode === 'custom' ? values.proxy_url.trim() : null;
  const baseUrl = values.base_url.trim() || null;
  return {
    name: values.name.trim(),
    type: values.type,
    ...(creating || keys.length ? { keys } : {}),
    ...(baseUrl !== null || !creating ? { base_url: baseUrl } : {}),
    models: modelList(values.models),
    embedding_models: modelList(values.embedding_models),
    model_map: recordOf(values.model_map),
    priority: numberOrNothing(values.priority) ?? 0,
    weight: numberOrNothing(values.weight) ?? 1,
    // JSON leaves out the undefined ones.
    limits,
    system_role: values.system_role,
    log_content: values.log_content,
    ...(proxy !== null || !creating ? { proxy } : {}),
    headers: recordOf(values.headers),
    groups: values.groups,
    ...(creating ? { status: values.enabled ? 'enabled' : 'disabled' } : {}),
    ...extra,
  };
}

/** The form's checks; the API checks again (and more) and its answer lands on the field it names. */
export function validation(
  t: TFunction<'channels'>,
  creating: boolean,
  providerOf: (type: string) => ProviderType | undefined,
) {
  const duration = (v: string) => (!v.trim() || DURATION.test(v.trim()) ? null : t('form.invalidDuration'));
  return {
    name: (v: string) => (!v.trim() ? t('form.required') : NAME.test(v.trim()) ? null : t('form.invalidName')),
    type: (v: string) => (v ? null : t('form.required')),
    base_url: (v: string) => (!v.trim() || URL.canParse(v.trim()) ? null : t('form.invalidUrl')),
    keys: (v: string, values: ChannelFormValues) =>
      creating && providerOf(values.type)?.requires_key && !values.base_url.trim() && keyLines(v).length === 0
        ? t('form.keysRequired')
        : null,
    model_map: (pairs: Pair[]) =>
      pairs.some((p) => !p.key.trim() !== !p.value.trim()) ? t('form.mappingIncomplete') : null,
    weight: (v: NumberField) => (v === '' || Number(v) > 0 ? null : t('form.positive')),
    limits: { timeout: duration, queue_timeout: duration },
    proxy_url: (v: string, values: ChannelFormValues) =>
      values.proxy_mode !== 'custom' || PROXY.test(v.trim()) ? null : t('form.invalidProxy'),
  };
}

const FIELDS = [
  'name',
  'type',
  'base_url',
  'keys',
  'models',
  'embedding_models',
  'model_map',
  'priority',
  'weight',
  'headers',
  'groups',
  'system_role',
  'log_content',
];

/**
 * The form field an API error's `param` names: `limits.timeout`, `models.0` → models, `model_map["gpt-4.1"]` →
 * model_map, `proxy` → proxy_url, a type setting → extra.<name>; null when the form has no such field.
 */
export function fieldOfParam(param: string | null, extraNames: readonly string[]): string | null {
  if (!param) return null;
  const limit = /^limits\.(rps|rpm|concurrency|timeout|queue_timeout)\b/.exec(param);
  if (limit) return `limits.${limit[1]}`;
  const head = /^[A-Za-z_]+/.exec(param)?.[0];
  if (!head) return null;
  if (head === 'proxy') return 'proxy_url';
  if (extraNames.includes(head)) return `extra.${head}`;
  return FIELDS.includes(head) ? head : null;
}

/**
 * The API's message without the field path it starts with, as the field shows it: "limits.timeout: not a duration"
 * and "Invalid body field 'limits.timeout': not a duration" → "not a duration".
 */
export function messageForField(message: string, param: string): string {
  for (const prefix of [`${param}: `, `Invalid body field '${param}': `])
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  return message;
}
