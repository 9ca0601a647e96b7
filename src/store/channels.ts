/**
 * Channels: providers made in the admin API and kept in the database, their keys sealed with the gateway secret.
 * A channel holds the same settings as a config-file provider and is checked by the same rules.
 */
import type { z } from 'zod';
import { checkProviders } from '../config/provider-checks.ts';
import { type ProviderConfig, providerSchema } from '../config/schema.ts';
import type { StoredChannel } from '../router/deployments.ts';
import type { Store } from './db.ts';
import type { ChannelRow } from './schema.ts';
import type { Secret } from './secret.ts';

/** A provider entry without what the channel row holds in columns of its own. */
export const channelSettingsSchema = providerSchema.omit({ name: true, type: true, keys: true, enabled: true });
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;

/** Problems with a channel, each with the field it is about, by the rules config-file providers follow. */
export function channelProblems(
  name: string,
  type: string,
  settings: Record<string, unknown>,
  keys: readonly string[],
): { path: string; message: string }[] {
  const { problems } = checkProviders({ providers: [{ ...settings, name, type, keys }] });
  const parsed = providerSchema.safeParse({ ...settings, name, type, keys });
  const schemaProblems = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return [
    ...schemaProblems,
    ...problems.map((p) => ({ path: p.path.replace(/^providers\[0\]\.?/, ''), message: p.message })),
  ];
}

/** The durations among a channel's settings: parsed to milliseconds, while a bare number in a config means seconds. */
const DURATION_LIMITS = ['timeout', 'queue_timeout'] as const;

/**
 * Settings as a config file would write them, so that parsing them again gives the same values: a parsed duration
 * (milliseconds) becomes `"<n>ms"`. Channels are stored, and merged with changes, in this form.
 */
export function settingsSource(settings: Record<string, unknown>): Record<string, unknown> {
  const limits = settings.limits;
  if (!limits || typeof limits !== 'object') return settings;
  const written: Record<string, unknown> = { ...(limits as Record<string, unknown>) };
  for (const name of DURATION_LIMITS) if (typeof written[name] === 'number') written[name] = `${written[name]}ms`;
  return { ...settings, limits: written };
}

/** The channel as a provider entry with its keys opened (throws when they were sealed with another secret). */
export function channelProvider(row: ChannelRow, secret: Secret): ProviderConfig {
  const keys = JSON.parse(secret.open(row.keys_sealed)) as string[];
  return providerSchema.parse({
    ...(JSON.parse(row.settings) as object),
    name: row.name,
    type: row.type,
    keys,
    enabled: row.status === 'enabled',
  });
}

export function groupsOf(row: Pick<ChannelRow, 'groups'>): string[] {
  return row.groups
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
}

/** The enabled channels, ready to route; one that cannot be opened is reported and left out. */
export async function routableChannels(
  store: Store,
  secret: Secret,
  onBroken: (name: string, err: Error) => void,
): Promise<StoredChannel[]> {
  const rows = await store.db
    .selectFrom('channels')
    .selectAll()
    .where('status', '=', 'enabled')
    .orderBy('id')
    .execute();
  const channels: StoredChannel[] = [];
  for (const row of rows) {
    try {
      channels.push({ provider: channelProvider(row, secret), groups: groupsOf(row) });
    } catch (err) {
      onBroken(row.name, err as Error);
    }
  }
  return channels;
}

/** What changes whenever a channel is added, edited or removed: cheap to read, compared by the sync. */
export async function channelsFingerprint(store: Store): Promise<string> {
  const row = await store.db
    .selectFrom('channels')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.max('updated_at').as('latest'),
      eb.fn.sum<number>('id').as('ids'),
    ])
    .executeTakeFirstOrThrow();
  return `${Number(row.n)}:${Number(row.latest ?? 0)}:${Number(row.ids ?? 0)}`;
}
