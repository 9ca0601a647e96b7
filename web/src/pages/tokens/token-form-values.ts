/** The token form's values: from a token, checked as the API checks them, and turned into a create or update body. */
import type { TFunction } from 'i18next';
import type { Token } from '../../api/types.ts';
import { amountOf, type QuotaValue } from '../../ui/usd-input.tsx';

export interface TokenFormValues {
  /** Whose key it is (admins making a key for someone else). */
  owner: number;
  name: string;
  /** USD; null is unlimited. */
  quota: QuotaValue;
  expiresAt: number | null;
  models: string[];
  allowIps: string[];
  rpm: number | string;
  tpm: number | string;
}

/** What POST and PUT /api/tokens take (PUT: any part of it). */
export interface TokenBody {
  name?: string;
  quota_usd?: number | null;
  expires_at?: number | null;
  models?: string[] | null;
  allow_ips?: string[] | null;
  rpm?: number | null;
  tpm?: number | null;
  user_id?: number;
}

export function initialValues(token: Token | null, selfId: number): TokenFormValues {
  return {
    owner: token?.user_id ?? selfId,
    name: token?.name ?? '',
    quota: token ? token.remain_usd : null,
    expiresAt: token?.expires_at ?? null,
    models: token?.models ?? [],
    allowIps: token?.allow_ips ?? [],
    rpm: token?.rpm ?? '',
    tpm: token?.tpm ?? '',
  };
}

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** An IPv4 or IPv6 address, optionally with a /prefix: what the API accepts in allow_ips. */
export function isIpOrCidr(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  if (extra !== undefined) return false;
  // The URL parser knows every IPv6 spelling (::, embedded IPv4…); a bracketed host parses only if it is one.
  const family = IPV4.test(address) ? 4 : address.includes(':') && URL.canParse(`http://[${address}]/`) ? 6 : 0;
  if (!family) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const optionalLimit = (value: number | string): number | null => amountOf(value) ?? null;

export function tokenRules(t: TFunction<'tokens'>, token: Token | null) {
  return {
    name: (v: string) => (v.trim() && v.length <= 191 ? null : t('form.nameRequired')),
    quota: (v: QuotaValue) => (v === null || (amountOf(v) ?? -1) >= 0 ? null : t('form.quotaRequired')),
    // A key that is already expired is a mistake, unless it is the expiry the key already had.
    expiresAt: (v: number | null) =>
      v !== null && v <= Date.now() && v !== token?.expires_at ? t('form.expiresPast') : null,
    allowIps: (v: string[]) => {
      const wrong = v.find((entry) => !isIpOrCidr(entry));
      return wrong === undefined ? null : t('form.ipInvalid', { value: wrong });
    },
    rpm: (v: number | string) => limitError(t, v),
    tpm: (v: number | string) => limitError(t, v),
  };
}

function limitError(t: TFunction<'tokens'>, value: number | string): string | null {
  const limit = optionalLimit(value);
  return limit === null || (Number.isInteger(limit) && limit >= 1) ? null : t('form.limitInvalid');
}

/**
 * The body for the API. An update sends only what was changed: a key in use spends its quota meanwhile, and sending
 * the remaining amount the form was opened with would give back what was spent since.
 */
export function tokenBody(values: TokenFormValues, changed: (field: keyof TokenFormValues) => boolean): TokenBody {
  const body: TokenBody = {};
  if (changed('name')) body.name = values.name.trim();
  if (changed('quota')) body.quota_usd = values.quota === null ? null : (amountOf(values.quota) ?? 0);
  if (changed('expiresAt')) body.expires_at = values.expiresAt;
  if (changed('models')) body.models = values.models.length ? values.models : null;
  if (changed('allowIps')) body.allow_ips = values.allowIps.length ? values.allowIps : null;
  if (changed('rpm')) body.rpm = optionalLimit(values.rpm);
  if (changed('tpm')) body.tpm = optionalLimit(values.tpm);
  return body;
}
