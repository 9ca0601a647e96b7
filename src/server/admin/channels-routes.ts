/**
 * Channels: database channels (made here, keys sealed at rest) listed beside the config file's providers, which are
 * read-only here. Keys are never shown again: only their count, hints and health; each channel with its recent usage.
 */
import { z } from 'zod';
import { usdOf } from '../../billing/cost.ts';
import type { ProviderConfig } from '../../config/schema.ts';
import { Forbidden, InvalidRequest } from '../../core/errors.ts';
import type { Gateway } from '../../gateway.ts';
import { providerDescriptor } from '../../providers/index.ts';
import { testChannel } from '../../router/channel-test.ts';
import {
  channelProblems,
  channelProvider,
  channelSettingsSchema,
  groupsOf,
  settingsSource,
} from '../../store/channels.ts';
import { insertWithId } from '../../store/db.ts';
import type { ChannelRow } from '../../store/schema.ts';
import { keyHint } from '../../store/tokens.ts';
import { type AdminRoute, conflict, notFound, route } from './api.ts';
import { type ChannelHealth, channelHealth, healthShape, UNUSED } from './channel-health.ts';

const keyShape = z.object({
  id: z.string().describe('`<channel>/key#n`, as logs name it'),
  hint: z.string(),
  cooling_until: z.number().int().nullable(),
  disabled_reason: z.string().nullable(),
});

export const channelShape = z.object({
  id: z.string().describe('a number for database channels, `config:<name>` for config-file providers'),
  source: z.enum(['db', 'config']),
  read_only: z.boolean(),
  name: z.string(),
  type: z.string(),
  status: z.enum(['enabled', 'disabled', 'auto_disabled']),
  status_reason: z.string().nullable(),
  groups: z.array(z.string()),
  settings: z.record(z.string(), z.unknown()),
  keys: z.array(keyShape),
  used_usd: z.number(),
  test_latency_ms: z.number().int().nullable(),
  tested_at: z.number().int().nullable(),
  health: healthShape.describe('from the usage logs: the last hour, and the last use and error within 7 days'),
});
type ChannelView = z.infer<typeof channelShape>;

function keysView(gw: Gateway, name: string, keys: readonly string[]): ChannelView['keys'] {
  return keys.map((key, i) => {
    const id = `${name}/key#${i + 1}`;
    const health = gw.keyHealth.status(id);
    return {
      id,
      hint: keyHint(key),
      cooling_until: health.coolingUntil > Date.now() ? health.coolingUntil : null,
      disabled_reason: health.disabledReason ?? null,
    };
  });
}

function settingsOf(p: ProviderConfig): Record<string, unknown> {
  const { name: _n, type: _t, keys: _k, enabled: _e, ...settings } = p;
  return settings;
}

function configView(gw: Gateway, p: ProviderConfig, health: ChannelHealth): ChannelView {
  return {
    id: `config:${p.name}`,
    source: 'config',
    read_only: true,
    name: p.name,
    type: p.type,
    status: p.enabled ? 'enabled' : 'disabled',
    status_reason: null,
    groups: [],
    settings: settingsOf(p),
    keys: keysView(gw, p.name, p.keys),
    used_usd: 0,
    test_latency_ms: null,
    tested_at: null,
    health,
  };
}

function dbView(gw: Gateway, row: ChannelRow, health: ChannelHealth): ChannelView {
  let keys: ChannelView['keys'] = [];
  let settings: Record<string, unknown> = JSON.parse(row.settings) as Record<string, unknown>;
  let statusReason = row.status_reason;
  try {
    const provider = channelProvider(row, gw.secret);
    keys = keysView(gw, row.name, provider.keys);
    settings = settingsOf(provider);
  } catch (err) {
    statusReason = `keys cannot be opened: ${(err as Error).message}`;
  }
  return {
    id: String(row.id),
    source: 'db',
    read_only: false,
    name: row.name,
    type: row.type,
    status: row.status,
    status_reason: statusReason,
    groups: groupsOf(row),
    settings,
    keys,
    used_usd: usdOf(row.used_quota),
    test_latency_ms: row.test_latency_ms,
    tested_at: row.tested_at,
    health,
  };
}

const idParams = z.object({ id: z.string().min(1).max(200) });

/** The database channel an id names; a config provider's id is refused with why. */
async function storedChannel(gw: Gateway, id: string): Promise<ChannelRow> {
  if (id.startsWith('config:')) {
    throw new Forbidden('This provider comes from the config file: change it there.', 'config_channel');
  }
  const numeric = Number(id);
  const row = Number.isInteger(numeric)
    ? await gw.store.db.selectFrom('channels').selectAll().where('id', '=', numeric).executeTakeFirst()
    : undefined;
  if (!row) throw notFound('channel');
  return row;
}

/** A database channel as the API shows it, with its health. */
async function storedView(gw: Gateway, id: string): Promise<ChannelView> {
  const row = await storedChannel(gw, id);
  return dbView(gw, row, (await channelHealth(gw, [row.name])).get(row.name) ?? UNUSED);
}

/** The provider entry a channel id names (a config provider's, or a database channel's with its keys opened). */
export async function channelById(
  gw: Gateway,
  id: string,
): Promise<{ provider: ProviderConfig; row: ChannelRow | undefined }> {
  const configured = gw.config.providers.find((p) => `config:${p.name}` === id);
  if (configured) return { provider: configured, row: undefined };
  const row = await storedChannel(gw, id);
  return { provider: channelProvider(row, gw.secret), row };
}

const channelBody = channelSettingsSchema.partial().extend({
  name: z.string().regex(/^[\w.@-]{1,64}$/, 'letters, digits, _ . @ - (at most 64)'),
  type: z.string().min(1).max(64),
  keys: z.array(z.string().min(1).max(20_000)).max(1000).describe('write-only: never shown again'),
  groups: z.array(z.string().min(1).max(64)).max(100).optional().describe('user groups it serves; absent: all'),
  status: z.enum(['enabled', 'disabled']).optional(),
});

/** A change: what is not sent is kept; an optional setting sent as null is cleared. */
const channelUpdate = channelBody.partial().extend({
  base_url: channelSettingsSchema.shape.base_url.nullable(),
  proxy: channelSettingsSchema.shape.proxy.nullable(),
  api_version: channelSettingsSchema.shape.api_version.nullable(),
  region: channelSettingsSchema.shape.region.nullable(),
  account_id: channelSettingsSchema.shape.account_id.nullable(),
  project: channelSettingsSchema.shape.project.nullable(),
});

/**
 * Checks a channel as the config loader checks providers (a problem is a 400 naming its field); answers its settings
 * in the form they are stored in. The body's settings were parsed already: given in `settingsSource` form.
 */
function validated(body: { name: string; type: string; keys: readonly string[]; settings: Record<string, unknown> }) {
  if (!providerDescriptor(body.type)) {
    throw new InvalidRequest(`Unknown provider type '${body.type}'.`, { param: 'type' });
  }
  const [problem] = channelProblems(body.name, body.type, body.settings, body.keys);
  if (problem) throw new InvalidRequest(`${problem.path || 'channel'}: ${problem.message}`, { param: problem.path });
  return settingsSource(channelSettingsSchema.parse(body.settings));
}

async function nameFree(gw: Gateway, name: string, except?: number): Promise<void> {
  if (gw.config.providers.some((p) => p.name === name)) throw conflict(`A config-file provider is named '${name}'.`);
  const row = await gw.store.db.selectFrom('channels').select('id').where('name', '=', name).executeTakeFirst();
  if (row && row.id !== except) throw conflict(`A channel is named '${name}'.`);
}

const listChannels = route({
  method: 'GET',
  url: '/api/channels',
  tag: 'channels',
  summary: 'Database channels and the config file’s providers (read-only), with key health',
  access: 'admin',
  response: z.array(channelShape),
  handler: async ({ gw }) => {
    const rows = await gw.store.db.selectFrom('channels').selectAll().orderBy('id').execute();
    const health = await channelHealth(gw);
    return [
      ...gw.config.providers.map((p) => configView(gw, p, health.get(p.name) ?? UNUSED)),
      ...rows.map((r) => dbView(gw, r, health.get(r.name) ?? UNUSED)),
    ];
  },
});

const createChannel = route({
  method: 'POST',
  url: '/api/channels',
  tag: 'channels',
  summary: 'Make a channel: it routes at once, beside the config file’s providers',
  access: 'admin',
  body: channelBody,
  status: 201,
  response: channelShape,
  handler: async ({ gw, body }) => {
    const { name, type, keys, groups, status, ...rest } = body;
    const settings = validated({ name, type, keys, settings: settingsSource(rest) });
    await nameFree(gw, name);
    const now = Date.now();
    const id = await insertWithId(gw.store, 'channels', {
      name,
      type,
      status: status ?? 'enabled',
      status_reason: null,
      settings: JSON.stringify(settings),
      keys_sealed: gw.secret.seal(JSON.stringify(keys)),
      groups: (groups ?? []).join(','),
      test_latency_ms: null,
      tested_at: null,
      created_at: now,
      updated_at: now,
    });
    await gw.channelsChanged();
    return storedView(gw, String(id));
  },
});

const getChannel = route({
  method: 'GET',
  url: '/api/channels/:id',
  tag: 'channels',
  summary: 'One channel',
  access: 'admin',
  params: idParams,
  response: channelShape,
  handler: async ({ gw, params }) => {
    const configured = gw.config.providers.find((p) => `config:${p.name}` === params.id);
    if (!configured) return storedView(gw, params.id);
    return configView(gw, configured, (await channelHealth(gw, [configured.name])).get(configured.name) ?? UNUSED);
  },
});

const updateChannel = route({
  method: 'PUT',
  url: '/api/channels/:id',
  tag: 'channels',
  summary: 'Change a channel; without `keys` its keys are kept',
  access: 'admin',
  params: idParams,
  body: channelUpdate,
  response: channelShape,
  handler: async ({ gw, params, body, request }) => {
    const row = await storedChannel(gw, params.id);
    const current = channelProvider(row, gw.secret);
    const { name = row.name, type = row.type, keys = current.keys, groups, status, ...rest } = body;
    // Parsing filled the settings not sent with their defaults: only those sent change. One sent as null is dropped
    // (back to its default).
    const sent = new Set(Object.keys(request.body as object));
    const changes = Object.fromEntries(Object.entries(rest).filter(([field]) => sent.has(field)));
    const merged: Record<string, unknown> = { ...settingsSource(settingsOf(current)), ...settingsSource(changes) };
    for (const [field, value] of Object.entries(merged)) if (value === null) delete merged[field];
    const settings = validated({ name, type, keys, settings: merged });
    if (name !== row.name) await nameFree(gw, name, row.id);
    await gw.store.db
      .updateTable('channels')
      .set({
        name,
        type,
        settings: JSON.stringify(settings),
        keys_sealed: gw.secret.seal(JSON.stringify(keys)),
        ...(groups === undefined ? {} : { groups: groups.join(',') }),
        ...(status === undefined ? {} : { status, status_reason: null }),
        updated_at: Date.now(),
      })
      .where('id', '=', row.id)
      .execute();
    await gw.channelsChanged();
    return storedView(gw, params.id);
  },
});

const deleteChannel = route({
  method: 'DELETE',
  url: '/api/channels/:id',
  tag: 'channels',
  summary: 'Delete a channel (its usage logs stay)',
  access: 'admin',
  params: idParams,
  response: z.object({ ok: z.literal(true) }),
  handler: async ({ gw, params }) => {
    const row = await storedChannel(gw, params.id);
    await gw.store.db.deleteFrom('channels').where('id', '=', row.id).execute();
    await gw.channelsChanged();
    return { ok: true as const };
  },
});

/** Turns a channel on (its keys' health reset) or off by hand. */
function setStatus(status: 'enabled' | 'disabled'): AdminRoute {
  return route({
    method: 'POST',
    url: `/api/channels/:id/${status === 'enabled' ? 'enable' : 'disable'}`,
    tag: 'channels',
    summary: status === 'enabled' ? 'Enable a channel and clear its keys’ refusals' : 'Disable a channel',
    access: 'admin',
    params: idParams,
    response: channelShape,
    handler: async ({ gw, params }) => {
      const row = await storedChannel(gw, params.id);
      if (status === 'enabled') {
        const keys = JSON.parse(gw.secret.open(row.keys_sealed)) as string[];
        for (let i = 1; i <= keys.length; i++) gw.keyHealth.enable(`${row.name}/key#${i}`);
      }
      await gw.store.db
        .updateTable('channels')
        .set({ status, status_reason: null, updated_at: Date.now() })
        .where('id', '=', row.id)
        .execute();
      await gw.channelsChanged();
      return storedView(gw, params.id);
    },
  });
}

const test = route({
  method: 'POST',
  url: '/api/channels/:id/test',
  tag: 'channels',
  summary: 'Send a tiny chat request through the channel and time it (config providers too)',
  access: 'admin',
  params: idParams,
  body: z
    .object({ model: z.string().min(1).max(191).optional() })
    .strict()
    .optional(),
  response: z.object({
    ok: z.boolean(),
    model: z.string().nullable(),
    latency_ms: z.number().int().nullable(),
    status: z.number().int().nullable(),
    error: z.string().nullable(),
  }),
  handler: async ({ gw, params, body }) => {
    const { provider, row } = await channelById(gw, params.id);
    const result = await testChannel(gw, provider, body?.model);
    if (row) {
      await gw.store.db
        .updateTable('channels')
        .set({ test_latency_ms: result.ok ? result.latency_ms : null, tested_at: Date.now() })
        .where('id', '=', row.id)
        .execute();
    }
    return result;
  },
});

export const CHANNEL_ROUTES: readonly AdminRoute[] = [
  listChannels,
  createChannel,
  getChannel,
  updateChannel,
  deleteChannel,
  setStatus('enabled'),
  setStatus('disabled'),
  test,
];
