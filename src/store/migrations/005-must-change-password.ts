/** Users can be made to change their password before anything else: root's generated one, or when an admin says so. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('must_change_password', 'smallint', (c) => c.notNull().defaultTo(0))
    .execute();
}
