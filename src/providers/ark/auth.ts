/**
 * Volcengine access keys for Ark: signed (Volcengine's HMAC-SHA256, V4-style) GetApiKey calls buy a temporary Ark API
 * key per endpoint or bot, which then goes out as the bearer token, as the Ark SDK does with an AK/SK.
 */
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import { hmac, sha256Hex } from '../hunyuan/auth.ts';
import { type IssuedToken, type KeyPair, keyPair, rateLimited, TokenCache } from '../qianfan/auth.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';

export const KEY_FORM = 'ACCESS_KEY:SECRET_KEY';

const OPENAPI = 'https://open.volcengineapi.com';
const REGION = 'cn-beijing';
const SERVICE = 'ark';
const VERSION = '2024-01-01';
/** What the Ark SDK asks for: a week. */
const LIFETIME_SECONDS = 7 * 24 * 3600;

export interface Resource {
  type: 'endpoint' | 'bot';
  id: string;
}

/** What a temporary key is bought for: an inference endpoint (`ep-…`) or a bot (`bot-…`); preset models cannot be. */
export function resourceOf(model: string): Resource | undefined {
  if (model.startsWith('bot-')) return { type: 'bot', id: model };
  if (model.startsWith('ep-') && !model.startsWith('ep-m-')) return { type: 'endpoint', id: model };
  return undefined;
}

export interface SignedRequest {
  method: 'GET' | 'POST';
  url: string;
  contentType: string;
  body: string;
}

export interface SigningScope {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
}

/** RFC 3986 percent-encoding, which the canonical query needs (encodeURIComponent leaves !'()* alone). */
const rfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** The headers that sign `req` at `date`: content-type, host, x-content-sha256 and x-date are the signed ones. */
export function volcengineHeaders(req: SignedRequest, scope: SigningScope, date: Date): Record<string, string> {
  const url = new URL(req.url);
  const xDate = date.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = xDate.slice(0, 8);
  const payloadHash = sha256Hex(req.body);
  const headers: [string, string][] = [
    ['content-type', req.contentType.trim()],
    ['host', url.host],
    ['x-content-sha256', payloadHash],
    ['x-date', xDate],
  ];
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalRequest = [
    req.method,
    url.pathname || '/',
    canonicalQuery(url.searchParams),
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/request`;
  const stringToSign = ['HMAC-SHA256', xDate, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(scope.secretAccessKey, day), scope.region), scope.service), 'request');
  const signature = hmac(signingKey, stringToSign).toString('hex');
  return {
    'content-type': req.contentType,
    'x-date': xDate,
    'x-content-sha256': payloadHash,
    authorization: `HMAC-SHA256 Credential=${scope.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** Volcengine's OpenAPI answer: a Result, or ResponseMetadata.Error. */
interface ApiKeyAnswer {
  ResponseMetadata?: { Error?: { Code?: string; Message?: string } };
  Result?: { ApiKey?: unknown; ExpiredTime?: unknown };
}

const CREDENTIAL_CODES =
  /^(InvalidAccessKey|SignatureDoesNotMatch|MissingAuthenticationToken|MissingSignature|AccessDenied|LackPolicy|AccessKey)/;

function issueError(status: number, answer: ApiKeyAnswer, target: Target): UpstreamError {
  const error = answer.ResponseMetadata?.Error;
  const code = error?.Code ?? `HTTP ${status}`;
  const message = `Upstream '${target.provider.name}' could not get an Ark API key for its access key (${code}): ${redactSecrets(error?.Message?.trim() || 'no message')}`;
  if (status === 401 || status === 403 || CREDENTIAL_CODES.test(code)) {
    return new UpstreamError(message, { upstreamStatus: status === 403 ? 403 : 401, retryable: true });
  }
  if (status === 429 || /LimitExceeded/.test(code)) return rateLimited(message);
  if (code === 'InvalidTimestamp')
    return new UpstreamError(`${message} (check the gateway's clock)`, { retryable: false });
  return new UpstreamError(message, { upstreamStatus: status >= 500 ? status : null, retryable: true });
}

async function issueApiKey(target: Target, pair: KeyPair, resource: Resource, send: AuthSend): Promise<IssuedToken> {
  const url = `${OPENAPI}/?Action=GetApiKey&Version=${VERSION}`;
  const body = JSON.stringify({
    DurationSeconds: LIFETIME_SECONDS,
    ResourceType: resource.type,
    ResourceIds: [resource.id],
  });
  const scope = { accessKeyId: pair.id, secretAccessKey: pair.secret, region: REGION, service: SERVICE };
  const headers = volcengineHeaders(
    { method: 'POST', url, contentType: 'application/json; charset=utf-8', body },
    scope,
    new Date(),
  );
  const res = await send({ url, method: 'POST', headers, body });
  let answer: ApiKeyAnswer = {};
  try {
    answer = JSON.parse(res.body) as ApiKeyAnswer;
  } catch {
    // not JSON: reported by status
  }
  const apiKey = answer.Result?.ApiKey;
  if (res.status >= 400 || answer.ResponseMetadata?.Error || typeof apiKey !== 'string' || !apiKey) {
    throw issueError(res.status, answer, target);
  }
  return { token: apiKey, expiresAt: expiryOf(answer.Result?.ExpiredTime) };
}

/** ExpiredTime is Unix seconds (the SDK's reading; the docs also say RFC 3339); without one, the requested lifetime. */
function expiryOf(expired: unknown): number {
  if (typeof expired === 'number' && expired > 0) return expired > 1e12 ? expired : expired * 1000;
  const parsed = typeof expired === 'string' ? Date.parse(expired) : Number.NaN;
  return Number.isNaN(parsed) ? Date.now() + LIFETIME_SECONDS * 1000 : parsed;
}

const apiKeys = new TokenCache();

/** A deployment keyed by an access key pair gets the temporary API key of its endpoint or bot; an API key is left be. */
export async function authorize(call: UpstreamCall, target: Target, send: AuthSend): Promise<UpstreamCall> {
  const pair = keyPair(target.key);
  if (!pair) return call;
  const resource = resourceOf(target.upstreamModel);
  if (!resource) {
    throw new UpstreamError(
      `Provider '${target.provider.name}' reaches only endpoints (ep-…) and bots (bot-…) with an access key pair; '${target.upstreamModel}' needs an Ark API key.`,
      { retryable: true, status: 400 },
    );
  }
  const credential = `${resource.type}/${resource.id}/${target.key}`;
  const token = await apiKeys.get(credential, () => issueApiKey(target, pair, resource, send));
  return { ...call, headers: { ...call.headers, authorization: `Bearer ${token}` } };
}
