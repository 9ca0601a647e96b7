/**
 * Qianfan's v1 login: the application's API Key and Secret Key buy an OAuth access token, cached per key pair. Also the
 * key-pair and token-cache helpers the other signing providers (hunyuan, ark) share.
 */
import type { ProviderConfig } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import { requestToken } from '../oauth.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';

/** A credential that comes in two halves, written as one Switchyard key `ID:SECRET`. */
export interface KeyPair {
  id: string;
  secret: string;
}

/** Splits `ID:SECRET` at its first colon; undefined when either half is missing. */
export function keyPair(key: string | undefined): KeyPair | undefined {
  const colon = key?.indexOf(':') ?? -1;
  if (key === undefined || colon <= 0 || colon === key.length - 1) return undefined;
  return { id: key.slice(0, colon), secret: key.slice(colon + 1) };
}

type Problem = { path: (string | number)[]; message: string };

/** The problems of a provider whose keys must all be pairs; `form` names the halves, e.g. `API_KEY:SECRET_KEY`. */
export function keyPairProblems(config: ProviderConfig, form: string): Problem[] {
  const problems: Problem[] = [];
  if (config.enabled && config.keys.length === 0) problems.push({ path: ['keys'], message: `required: ${form}` });
  config.keys.forEach((key, index) => {
    if (!keyPair(key)) problems.push({ path: ['keys', index], message: `must be ${form} (the two joined by a colon)` });
  });
  return problems;
}

/** The key of a deployment that needs a pair, or an error that takes the key out (it can never work). */
export function requirePair(target: Target, form: string): KeyPair {
  const pair = keyPair(target.key);
  if (pair) return pair;
  throw new UpstreamError(`Provider '${target.provider.name}' has a key that is not in ${form} form.`, {
    upstreamStatus: 401,
    retryable: true,
  });
}

/** An upstream's own rate-limit answer (in an HTTP 200 body, or to a token exchange), as the relay treats an HTTP 429. */
export function rateLimited(message: string): UpstreamError {
  return new UpstreamError(message, {
    upstreamStatus: 429,
    status: 429,
    retryable: true,
    kind: 'rate_limited',
    code: 'rate_limit_exceeded',
  });
}

export interface IssuedToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

interface CachedToken extends IssuedToken {
  issuedAt: number;
}

/** Renewal starts a tenth of a token's lifetime (at least a minute) before it expires. */
const renewAt = (t: CachedToken): number => t.expiresAt - Math.max(60_000, (t.expiresAt - t.issuedAt) / 10);

/**
 * Short-lived tokens by credential: reused until shortly before they expire, then renewed, one exchange at a time per
 * credential. A failed early renewal keeps the old token until it really expires.
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  async get(credential: string, issue: () => Promise<IssuedToken>): Promise<string> {
    const cached = this.tokens.get(credential);
    const now = Date.now();
    if (cached && now < renewAt(cached)) return cached.token;
    if (cached && now < cached.expiresAt) {
      try {
        return (await this.shared(credential, issue)).token;
      } catch {
        return cached.token;
      }
    }
    return (await this.shared(credential, issue)).token;
  }

  /** Drops a token upstream no longer accepts (only `token`, when given, so a newer one survives). */
  forget(credential: string, token?: string): void {
    const cached = this.tokens.get(credential);
    if (cached && (token === undefined || cached.token === token)) this.tokens.delete(credential);
  }

  /** Joins the exchange under way; if it fails (it may belong to a request that was cancelled), tries once itself. */
  private async shared(credential: string, issue: () => Promise<IssuedToken>): Promise<CachedToken> {
    const running = this.pending.get(credential);
    if (running) {
      try {
        return await running;
      } catch {
        // fall through to an exchange of our own
      }
    }
    return this.start(credential, issue);
  }

  private start(credential: string, issue: () => Promise<IssuedToken>): Promise<CachedToken> {
    const running = this.pending.get(credential);
    if (running) return running;
    const issuedAt = Date.now();
    const exchange = issue()
      .then((issued) => {
        const token = { ...issued, issuedAt };
        this.tokens.set(credential, token);
        return token;
      })
      .finally(() => this.pending.delete(credential));
    this.pending.set(credential, exchange);
    return exchange;
  }
}

/** Baidu issues access tokens for 30 days; used when an answer does not say. */
const DEFAULT_TOKEN_SECONDS = 30 * 24 * 3600;

const accessTokens = new TokenCache();

const _text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

async function issueAccessToken(target: Target, pair: KeyPair, send: AuthSend): Promise<IssuedToken> {
  const reply = await requestToken(send, `${target.baseUrl}/oauth/2.0/token`, {
    grant_type: 'client_credentials',
    client_id: pair.id,
    client_secret: pair.secret,
  });
  if (reply.token) {
    return { token: reply.token, expiresAt: Date.now() + (reply.expiresIn ?? DEFAULT_TOKEN_SECONDS) * 1000 };
  }
  const name = target.provider.name;
  // OAuth's invalid_client (HTTP 400/401): the pair itself is wrong, so the key is taken out.
  if (reply.oauthError || reply.status === 400 || reply.status === 401) {
    throw new UpstreamError(`Upstream '${name}' refused its API key and secret key: ${reply.why}`, {
      upstreamStatus: 401,
      retryable: true,
    });
  }
  throw new UpstreamError(`Upstream '${name}' gave no access token: ${reply.why}`, {
    upstreamStatus: reply.status >= 500 ? reply.status : null,
    retryable: true,
  });
}

export const KEY_FORM = 'API_KEY:SECRET_KEY';

/** Adds the access token of the deployment's key pair to a built call, fetching or renewing it as needed. */
export async function authorize(call: UpstreamCall, target: Target, send: AuthSend): Promise<UpstreamCall> {
  const pair = requirePair(target, KEY_FORM);
  const token = await accessTokens.get(target.key!, () => issueAccessToken(target, pair, send));
  const separator = call.url.includes('?') ? '&' : '?';
  return { ...call, url: `${call.url}${separator}access_token=${encodeURIComponent(token)}` };
}

/** Upstream said the token is invalid or expired: the next call fetches a new one. */
export function forgetAccessToken(target: Target): void {
  if (target.key !== undefined) accessTokens.forget(target.key);
}
