/** API tokens: `sk-` keys made here, shown once, and kept only as a SHA-256 hash with a short hint. */
import { hash, randomBytes } from 'node:crypto';
import type { Store } from './db.ts';
import type { NewToken, TokenRow } from './schema.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new `sk-` key with 48 random base62 characters (~285 bits). */
export function newTokenKey(): string {
  const bytes = randomBytes(64);
  let key = 'sk-';
  for (const byte of bytes) {
    // 62 * 4 = 248: bytes above it are skipped so every character is equally likely.
    if (byte < 248) key += ALPHABET[byte % 62];
    if (key.length === 51) return key;
  }
  return key + newTokenKey().slice(3, 51 - key.length + 3);
}

export function tokenHash(key: string): string {
  // One-shot hashing: every relay request hashes its key, and this is several times cheaper than createHash.
  return hash('sha256', key, 'hex');
}

/** How people recognise a key without seeing it: `sk-abcd…wxyz`. */
export function keyHint(key: string): string {
  return key.length > 12 ? `${key.slice(0, 7)}…${key.slice(-4)}` : `${key.slice(0, 3)}…`;
}

/** A token row as made: enabled, unlimited, for any model from anywhere, with no limits, unless `fields` say so. */
export function newTokenRow(
  fields: Pick<NewToken, 'user_id' | 'name' | 'key_hash' | 'key_hint' | 'source'> & Partial<NewToken>,
): NewToken {
  return {
    status: 'enabled',
    unlimited_quota: 1,
    remain_quota: 0,
    expires_at: null,
    models: null,
    allow_ips: null,
    rpm: null,
    tpm: null,
    created_at: Date.now(),
    accessed_at: null,
    ...fields,
  };
}

export async function findTokenByHash(store: Store, hash: string): Promise<TokenRow | undefined> {
  return store.db.selectFrom('tokens').selectAll().where('key_hash', '=', hash).executeTakeFirst();
}

/** A JSON list column (models, allowed IPs) as an array; null is "no restriction". */
export function listColumn(value: string | null): string[] | null {
  if (value === null) return null;
  const parsed = JSON.parse(value) as unknown;
  return Array.isArray(parsed) ? parsed.map(String) : null;
}
