/** The provider types the gateway knows, for channel forms, and the models an upstream lists for a channel. */
import { z } from 'zod';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import { InvalidRequest } from '../../core/errors.ts';
import type { Gateway } from '../../gateway.ts';
import { PROVIDERS } from '../../providers/index.ts';
import { upstreamModels } from '../../router/upstream-models.ts';
import { channelSettingsSchema } from '../../store/channels.ts';
import { type AdminRoute, route } from './api.ts';
import { channelById } from './channels-routes.ts';

export const providerTypeShape = z.object({
  type: z.string(),
  default_base_url: z
    .string()
    .nullable()
    .describe('used when base_url is empty; null: base_url (or a setting) is needed'),
  requires_key: z.boolean(),
  key_format: z.string().describe('what a key looks like'),
  settings: z.array(z.string()).describe('its own settings a form should offer besides the common ones'),
  lists_models: z.boolean().describe('POST /api/channels/upstream-models can ask the upstream'),
});

const listProviders = route({
  method: 'GET',
  url: '/api/providers',
  tag: 'channels',
  summary: 'Every provider type: default base URL, what its keys look like, its own settings, whether it lists models',
  access: 'admin',
  response: z.array(providerTypeShape),
  handler: async () =>
    Object.values(PROVIDERS).map((d) => ({
      type: d.type,
      default_base_url: d.defaultBaseUrl ?? null,
      requires_key: d.requiresKey,
      key_format: d.keyFormat ?? (d.requiresKey ? 'an API key' : 'none'),
      settings: [...(d.settings ?? [])],
      lists_models: d.modelList !== undefined,
    })),
});

/**
 * The settings that decide where a channel's key is sent and how. With a stored channel's key they must be the
 * channel's own: a key kept in the database (or the config file) is never sent anywhere its channel does not go.
 */
const CONNECTION = ['base_url', 'proxy', 'headers', 'api_version', 'region', 'account_id', 'project'] as const;

/** A value as comparable text: records with their keys in one order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value) ?? '';
  const sorted = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(sorted);
}

/** The stored channel's provider entry, with its first key only, refusing a body that would send it elsewhere. */
async function storedProvider(
  gw: Gateway,
  channelId: string,
  type: string,
  settings: Partial<Record<string, unknown>>,
): Promise<ProviderConfig> {
  const { provider } = await channelById(gw, channelId);
  if (type !== provider.type) {
    throw new InvalidRequest(`The channel is of type '${provider.type}': send its key to list another type's models.`, {
      param: 'type',
    });
  }
  for (const field of CONNECTION) {
    if (settings[field] !== undefined && canonical(settings[field]) !== canonical(provider[field])) {
      throw new InvalidRequest(
        `${field} differs from the channel's: its stored key is used only with its own settings (save the channel first, or send the key).`,
        { param: field },
      );
    }
  }
  return { ...provider, keys: provider.keys.slice(0, 1) };
}

const upstreamModelsRoute = route({
  method: 'POST',
  url: '/api/channels/upstream-models',
  tag: 'channels',
  summary: 'Ask an upstream which models it serves (with the given key, or a channel’s first key and its settings)',
  access: 'admin',
  body: channelSettingsSchema.partial().extend({
    type: z.string().min(1).max(64),
    key: z.string().min(1).max(20_000).optional().describe('write-only: used for this request, never stored'),
    channel_id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('without key: use this channel’s first key and its settings (a number, or config:<name>)'),
  }),
  response: z.object({ models: z.array(z.string()).describe('sorted, each once') }),
  handler: async ({ gw, body }) => {
    const { type, key, channel_id, ...settings } = body;
    const provider =
      key === undefined && channel_id !== undefined
        ? await storedProvider(gw, channel_id, type, settings)
        : providerSchema.parse({ ...settings, name: type, type, keys: key === undefined ? [] : [key] });
    return { models: await upstreamModels(gw, provider) };
  },
});

export const PROVIDER_ROUTES: readonly AdminRoute[] = [listProviders, upstreamModelsRoute];
