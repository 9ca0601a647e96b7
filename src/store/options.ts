/** Settings an admin changes at run time, kept in the `options` table as JSON values under known names. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Store } from './db.ts';

export const optionsSchema = z
  .object({
    /** Balance a new user gets when none is given (USD). */
    new_user_quota_usd: z.number().min(0),
    /** Whether anyone may make an account with POST /api/auth/register. */
    registration_enabled: z.boolean(),
  })
  .strict();

export type Options = z.infer<typeof optionsSchema>;

const DEFAULTS: Options = { new_user_quota_usd: 0, registration_enabled: false };

export async function readOptions(store: Store): Promise<Options> {
  const rows = await store.db.selectFrom('options').selectAll().execute();
  const stored: Record<string, unknown> = {};
  for (const row of rows) {
    if (row.key in DEFAULTS) stored[row.key] = JSON.parse(row.value);
  }
  return optionsSchema.parse({ ...DEFAULTS, ...stored });
}

export async function writeOptions(
  store: Store,
  changes: { [K in keyof Options]?: Options[K] | undefined },
): Promise<Options> {
  await store.db.transaction().execute(async (trx) => {
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      const text = JSON.stringify(value);
      const updated = await trx.updateTable('options').set({ value: text }).where('key', '=', key).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) await trx.insertInto('options').values({ key, value: text }).execute();
    }
  });
  return readOptions(store);
}

/**
 * This installation's id, made on first start and kept in the database: instances sharing the database share it,
 * and it names their keys in Redis, so that several installations can share one Redis.
 */
export async function installId(store: Store): Promise<string> {
  const read = async (): Promise<string | undefined> =>
    (await store.db.selectFrom('options').select('value').where('key', '=', 'install_id').executeTakeFirst())?.value;
  const existing = await read();
  if (existing) return JSON.parse(existing) as string;
  try {
    await store.db
      .insertInto('options')
      .values({ key: 'install_id', value: JSON.stringify(randomUUID()) })
      .execute();
  } catch {
    // Another instance starting at the same moment made it first.
  }
  return JSON.parse((await read())!) as string;
}
