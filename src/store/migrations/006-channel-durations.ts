/**
 * Channel timeouts were stored as parsed milliseconds and read back as seconds, so each stored duration stood for a
 * thousandth of itself in milliseconds: written again as `"<n>ms"`, the form channels are stored in from now on.
 */
import type { Kysely } from 'kysely';

interface Channels {
  channels: { id: number; settings: string };
}

export async function up(untyped: Kysely<unknown>): Promise<void> {
  const db = untyped as unknown as Kysely<Channels>;
  const rows = await db.selectFrom('channels').select(['id', 'settings']).execute();
  for (const row of rows) {
    const settings = JSON.parse(row.settings) as { limits?: Record<string, unknown> };
    let changed = false;
    for (const name of ['timeout', 'queue_timeout']) {
      const value = settings.limits?.[name];
      if (typeof value !== 'number') continue;
      settings.limits![name] = `${Math.round(value / 1000)}ms`;
      changed = true;
    }
    if (changed)
      await db
        .updateTable('channels')
        .set({ settings: JSON.stringify(settings) })
        .where('id', '=', row.id)
        .execute();
  }
}
