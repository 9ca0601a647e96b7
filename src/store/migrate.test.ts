import { afterAll, describe, expect, test } from 'vitest';
import { ENGINES, freshStore } from '../../test/stores.ts';
import { insertWithId, openStore } from './db.ts';
import { migrate } from './migrate.ts';

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
});
