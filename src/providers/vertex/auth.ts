/**
 * Vertex AI's login: a service account's JSON key signs a JWT (RS256) that its token_uri exchanges for an OAuth access
 * token, cached per key and renewed before it expires (or after upstream refused it).
 */
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ProviderConfig } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import { requestToken } from '../oauth.ts';
import { TokenCache } from '../qianfan/auth.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';

export const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** Google issues access tokens for an hour; the assertion asks for that. */
const TOKEN_SECONDS = 3600;

export interface ServiceAccount {
  clientEmail: string;
  privateKey: KeyObject;
  privateKeyId: string | undefined;
  tokenUri: string;
  projectId: string | undefined;
}

type Parsed = { account: ServiceAccount } | { problem: string };

/** Parsed keys by their text: a key is parsed (and its PEM imported) once. */
const parsedKeys = new Map<string, Parsed>();

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

/**
 * A key is the JSON text, or the path of the JSON file (as simple-one-api's `json_file` gave it): read once, when the
 * config is checked at start-up, never on a request's path.
 */
function keyText(key: string): string | { problem: string } {
  if (key.trimStart().startsWith('{')) return key;
  try {
    return readFileSync(key, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    return { problem: `is neither a service account key (JSON text) nor a readable key file (${code})` };
  }
}

function parse(key: string): Parsed {
  const source = keyText(key);
  if (typeof source !== 'string') return source;
  let json: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(source);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    json = value as Record<string, unknown>;
  } catch {
    return { problem: 'must be a service account key: the JSON file Google Cloud gives, as text or its path' };
  }
  if (json.type !== undefined && json.type !== 'service_account') {
    return { problem: `must be a service account key (this one is of type '${String(json.type)}')` };
  }
  const clientEmail = text(json.client_email);
  const pem = text(json.private_key);
  if (!clientEmail || !pem) return { problem: 'is a service account key without client_email or private_key' };
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    return { problem: 'is a service account key whose private_key is not a PEM private key' };
  }
  const tokenUri = text(json.token_uri) ?? DEFAULT_TOKEN_URI;
  return {
    account: {
      clientEmail,
      privateKey,
      privateKeyId: text(json.private_key_id),
      tokenUri,
      projectId: text(json.project_id),
    },
  };
}

function parsed(key: string): Parsed {
  let entry = parsedKeys.get(key);
  if (!entry) {
    entry = parse(key);
    parsedKeys.set(key, entry);
  }
  return entry;
}

/** The problems of a vertex provider entry: keys that are no service account keys, no project to address. */
export function validate(config: ProviderConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  if (config.enabled && config.keys.length === 0) {
    problems.push({ path: ['keys'], message: 'required: a service account key (JSON text)' });
  }
  config.keys.forEach((key, index) => {
    const entry = parsed(key);
    if ('problem' in entry) problems.push({ path: ['keys', index], message: entry.problem });
    else if (!config.project && !entry.account.projectId) {
      problems.push({ path: ['project'], message: `required: key ${index} names no project_id` });
    }
  });
  return problems;
}

/** The service account of a deployment, or an error that takes its key out (it can never work). */
export function requireAccount(target: Target): ServiceAccount {
  const entry = target.key === undefined ? undefined : parsed(target.key);
  if (entry && 'account' in entry) return entry.account;
  throw new UpstreamError(`Provider '${target.provider.name}' has a key that is not a service account key.`, {
    upstreamStatus: 401,
    retryable: true,
  });
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The signed JWT a service account presents to its token URI (Google's "JWT bearer" grant). */
export function assertion(account: ServiceAccount, nowSeconds: number): string {
  const header: Record<string, string> = { alg: 'RS256', typ: 'JWT' };
  if (account.privateKeyId) header.kid = account.privateKeyId;
  const claims = {
    iss: account.clientEmail,
    scope: SCOPE,
    aud: account.tokenUri,
    iat: nowSeconds,
    exp: nowSeconds + TOKEN_SECONDS,
  };
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), account.privateKey).toString('base64url')}`;
}

async function issueToken(target: Target, account: ServiceAccount, send: AuthSend) {
  const reply = await requestToken(send, account.tokenUri, {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: assertion(account, Math.floor(Date.now() / 1000)),
  });
  if (reply.token) return { token: reply.token, expiresAt: Date.now() + (reply.expiresIn ?? TOKEN_SECONDS) * 1000 };
  const name = target.provider.name;
  // invalid_grant / invalid_client (HTTP 400/401): the key itself is refused, so it is taken out.
  if (reply.status === 400 || reply.status === 401 || reply.status === 403) {
    throw new UpstreamError(`Upstream '${name}' refused its service account key: ${reply.why}`, {
      upstreamStatus: 401,
      retryable: true,
    });
  }
  throw new UpstreamError(`Upstream '${name}' gave no access token: ${reply.why}`, {
    upstreamStatus: reply.status >= 500 ? reply.status : null,
    retryable: true,
  });
}

const accessTokens = new TokenCache();

/** Adds the access token of the deployment's service account to a built call, fetching or renewing it as needed. */
export async function authorize(call: UpstreamCall, target: Target, send: AuthSend): Promise<UpstreamCall> {
  const account = requireAccount(target);
  const token = await accessTokens.get(target.key!, () => issueToken(target, account, send));
  return { ...call, headers: { ...call.headers, authorization: `Bearer ${token}` } };
}

/** Upstream refused the token a call carried (revoked, or expired early): the next call fetches a new one. */
export function unauthorized(call: UpstreamCall, target: Target): boolean {
  if (target.key === undefined) return false;
  const token = call.headers.authorization?.slice('Bearer '.length);
  accessTokens.forget(target.key, token);
  return true;
}
