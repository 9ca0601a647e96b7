/** The admin API's shared shapes: users and tokens as the API shows them (never a hash), paging, USD amounts. */
import { z } from 'zod';
import { usdOf } from '../../billing/cost.ts';
import type { TokenRow, UserRow } from '../../store/schema.ts';
import { listColumn } from '../../store/tokens.ts';

export const userShape = z.object({
  id: z.number().int(),
  username: z.string(),
  display_name: z.string(),
  email: z.string().nullable(),
  role: z.enum(['root', 'admin', 'user']),
  group: z.string(),
  status: z.enum(['enabled', 'disabled']),
  quota_usd: z.number().nullable().describe('Remaining balance; null is unlimited'),
  used_usd: z.number(),
  request_count: z.number().int(),
  has_access_token: z.boolean(),
  must_change_password: z
    .boolean()
    .describe(
      'Until the password is changed (PUT /api/auth/self), every other route answers 403 password_change_required',
    ),
  created_at: z.number().int(),
});

export function userView(u: UserRow): z.infer<typeof userShape> {
  return {
    id: u.id,
    username: u.username,
    display_name: u.display_name,
    email: u.email,
    role: u.role,
    group: u.group_name,
    status: u.status,
    quota_usd: u.quota === null ? null : usdOf(u.quota),
    used_usd: usdOf(u.used_quota),
    request_count: u.request_count,
    has_access_token: u.access_token_hash !== null,
    must_change_password: u.must_change_password === 1,
    created_at: u.created_at,
  };
}

export const tokenShape = z.object({
  id: z.number().int(),
  user_id: z.number().int(),
  name: z.string(),
  key_hint: z.string().describe('The key is shown only once, when the token is made'),
  status: z.enum(['enabled', 'disabled']),
  unlimited: z.boolean(),
  remain_usd: z.number().nullable().describe('null when unlimited'),
  used_usd: z.number(),
  remain_quota: z.number().int(),
  used_quota: z.number().int(),
  expires_at: z.number().int().nullable(),
  models: z.array(z.string()).nullable(),
  allow_ips: z.array(z.string()).nullable(),
  rpm: z.number().int().nullable(),
  tpm: z.number().int().nullable(),
  source: z
    .enum(['db', 'config', 'playground'])
    .describe('config: a key from the config file, read-only here; playground: the admin UI playground’s, not listed'),
  created_at: z.number().int(),
  accessed_at: z.number().int().nullable(),
});

export function tokenView(t: TokenRow): z.infer<typeof tokenShape> {
  return {
    id: t.id,
    user_id: t.user_id,
    name: t.name,
    key_hint: t.key_hint,
    status: t.status,
    unlimited: t.unlimited_quota === 1,
    remain_usd: t.unlimited_quota ? null : usdOf(t.remain_quota),
    used_usd: usdOf(t.used_quota),
    remain_quota: t.remain_quota,
    used_quota: t.used_quota,
    expires_at: t.expires_at,
    models: listColumn(t.models),
    allow_ips: listColumn(t.allow_ips),
    rpm: t.rpm,
    tpm: t.tpm,
    source: t.source,
    created_at: t.created_at,
    accessed_at: t.accessed_at,
  };
}

export const paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int() });
}

export const password = z.string().min(8, 'must be at least 8 characters').max(200);
