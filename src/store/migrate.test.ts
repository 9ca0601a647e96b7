import type { Kysely } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import { ENGINES, freshStore } from '../../test/stores.ts';
import { channelSettingsSchema } from './channels.ts';
import { insertWithId, openStore } from './db.ts';
import { migrate } from './migrate.ts';
import * as channelDurations from './migrations/006-channel-durations.ts';

describe.each(ENGINES)('migrations on %s', (engine) => {
  const stores: { dispose(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of stores) await s.dispose();
  });

  test('a second migrate on a migrated database applies nothing and keeps the rows', async () => {
    const store = await freshStore(engine);
    stores.push(store);
    await store.db
      .insertInto('groups')
      .values({ name: 'vip', ratio: 0.5, description: '', created_at: Date.now() })
      .execute();
    const again = await openStore(store.url);
    expect(await migrate(again)).toEqual([]);
    await again.close();
    const rows = await store.db.selectFrom('groups').selectAll().execute();
    expect(rows.map((r) => [r.name, r.ratio])).toEqual([['vip', 0.5]]);
  });

  test('an auto-increment id comes back from insert … returning on every engine', async () => {
    const store = await freshStore(engine);
    stores.push(store);
    const now = Date.now();
    const insert = (username: string) =>
      insertWithId(store, 'users', {
        username,
        display_name: username,
        password_hash: 'x',
        role: 'user',
        group_name: 'default',
        status: 'enabled',
        quota: 10,
        email: null,
        access_token_hash: null,
        created_at: now,
        updated_at: now,
      });
    const a = await insert('a');
    const b = await insert('b');
    expect(b - a).toBe(1);
    const row = await store.db.selectFrom('users').selectAll().where('username', '=', 'b').executeTakeFirstOrThrow();
    expect(row.quota).toBe(10);
    expect(typeof row.created_at).toBe('number');
    expect(row.created_at).toBe(now);
  });

  test('006 rewrites the channel timeouts stored as milliseconds read as seconds, and routes them as meant', async () => {
    const store = await freshStore(engine);
    stores.push(store);
    const now = Date.now();
    // What an API-made channel with `timeout: "60s"` held before: 60 s as ms (60000), parsed once more (x1000).
    const settings = { base_url: 'http://127.0.0.1:9/v1', limits: { timeout: 60_000_000, rpm: 5 }, weight: 2 };
    await store.db
      .insertInto('channels')
      .values({
        name: 'old',
        type: 'openai',
        status: 'enabled',
        status_reason: null,
        settings: JSON.stringify(settings),
        keys_sealed: 'x',
        groups: '',
        test_latency_ms: null,
        tested_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await channelDurations.up(store.db as unknown as Kysely<unknown>);
    const row = await store.db.selectFrom('channels').select('settings').executeTakeFirstOrThrow();
    const stored = JSON.parse(row.settings) as typeof settings;
    expect(stored).toEqual({ ...settings, limits: { timeout: '60000ms', rpm: 5 } });
    expect(channelSettingsSchema.parse(stored).limits.timeout).toBe(60_000);
  });
});
