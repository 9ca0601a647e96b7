/** A channel's provider settings as the API returns them (an open record), read into typed values for the page. */
import type { Channel } from '../../api/types.ts';

interface ChannelLimits {
  rps: number | null;
  rpm: number | null;
  concurrency: number | null;
  /** Milliseconds, as the gateway parsed them. */
  timeout: number | null;
  queue_timeout: number | null;
}

interface ChannelSettings {
  base_url: string | null;
  models: string[];
  embedding_models: string[];
  model_map: Record<string, string>;
  priority: number;
  weight: number;
  limits: ChannelLimits;
  system_role: boolean;
  /** Request log lines carry the prompt and the answer. */
  log_content: boolean;
  /** A URL, `false` for no proxy at all, null for the gateway's global proxy. */
  proxy: string | false | null;
  headers: Record<string, string>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const numberOr = <T>(value: unknown, fallback: T): number | T =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

const stringOr = <T>(value: unknown, fallback: T): string | T => (typeof value === 'string' ? value : fallback);

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const stringRecord = (value: unknown): Record<string, string> =>
  isRecord(value)
    ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};

export function readSettings(settings: Record<string, unknown>): ChannelSettings {
  const limits = isRecord(settings['limits']) ? settings['limits'] : {};
  const proxy = settings['proxy'];
  return {
    base_url: stringOr(settings['base_url'], null),
    models: stringList(settings['models']),
    embedding_models: stringList(settings['embedding_models']),
    model_map: stringRecord(settings['model_map']),
    priority: numberOr(settings['priority'], 0),
    weight: numberOr(settings['weight'], 1),
    limits: {
      rps: numberOr(limits['rps'], null),
      rpm: numberOr(limits['rpm'], null),
      concurrency: numberOr(limits['concurrency'], null),
      timeout: numberOr(limits['timeout'], null),
      queue_timeout: numberOr(limits['queue_timeout'], null),
    },
    system_role: settings['system_role'] !== false,
    log_content: settings['log_content'] === true,
    proxy: proxy === false ? false : stringOr(proxy, null),
    headers: stringRecord(settings['headers']),
  };
}

/** A type-specific setting (api_version, region, …) as text; absent or not a string is empty. */
export function textSetting(settings: Record<string, unknown>, name: string): string {
  return stringOr(settings[name], '');
}

/** Every model name a channel answers to: its chat and embedding models and its model map's client names. */
export function servedModels(channel: Channel): string[] {
  const s = readSettings(channel.settings);
  return [...new Set([...s.models, ...s.embedding_models, ...Object.keys(s.model_map)])];
}
