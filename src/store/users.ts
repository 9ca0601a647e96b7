/** Users: password hashing (scrypt), the root account made on first start, and lookups by id, name or admin token. */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import type { Logger } from '../log.ts';
import { insertWithId, type Store } from './db.ts';
import type { UserRow } from './schema.ts';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  opts: object,
) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };

/** `scrypt$N$r$p$salt$hash` (base64url): a slow, salted hash of the password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${derived.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  // Users imported from one-api keep their bcrypt hashes, and so their passwords.
  if (/^\$2[aby]\$/.test(stored)) return bcrypt.compare(password, stored);
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const derived = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(derived, expected);
}

/** A readable random password: 20 characters of base64url (120 bits). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

/**
 * Creates `root` on the first start: with `SWITCHYARD_ADMIN_PASSWORD`, or a generated password printed once to the
 * log. There is no well-known default password. Also makes sure the `default` group exists.
 */
export async function ensureRoot(store: Store, env: NodeJS.ProcessEnv, log: Logger): Promise<void> {
  const now = Date.now();
  const group = await store.db.selectFrom('groups').select('name').where('name', '=', 'default').executeTakeFirst();
  if (!group) {
    await store.db
      .insertInto('groups')
      .values({ name: 'default', ratio: 1, description: 'Every user starts here.', created_at: now })
      .execute();
  }
  const root = await store.db.selectFrom('users').select('id').where('role', '=', 'root').executeTakeFirst();
  if (root) return;
  const given = env.SWITCHYARD_ADMIN_PASSWORD;
  if (given !== undefined && given.length < 8)
    throw new Error('SWITCHYARD_ADMIN_PASSWORD must be at least 8 characters');
  const password = given ?? generatePassword();
  await insertWithId(store, 'users', {
    username: 'root',
    display_name: 'Root',
    password_hash: await hashPassword(password),
    role: 'root',
    group_name: 'default',
    status: 'enabled',
    quota: null,
    email: null,
    access_token_hash: null,
    // A password that went through the log must not stay in use.
    must_change_password: given ? 0 : 1,
    created_at: now,
    updated_at: now,
  });
  if (given) log.info('created the root user with the password from SWITCHYARD_ADMIN_PASSWORD');
  // Printed once, on purpose: it is the only way to learn a generated password.
  else
    log.warn(
      { username: 'root', password },
      'created the root user with a generated password: it must be changed at the first login',
    );
}

export async function findUser(store: Store, id: number): Promise<UserRow | undefined> {
  return store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}
