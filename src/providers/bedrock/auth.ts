/**
 * Bedrock credentials: an access key pair `ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]` signs each call with SigV4;
 * a key without a colon is a Bedrock API key, sent as a bearer token.
 */
import type { ProviderConfig } from '../../config/schema.ts';
import type { Target, UpstreamCall } from '../types.ts';
import { type AwsCredentials, signRequest } from './sigv4.ts';

export const KEY_FORM = 'ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN], or a Bedrock API key';
export const DEFAULT_REGION = 'us-east-1';

export function credentialsOf(key: string): AwsCredentials | undefined {
  const parts = key.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.trim() === '')) return undefined;
  const [accessKeyId, secretAccessKey, sessionToken] = parts as [string, string, string | undefined];
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

/** The region a call is signed for: the entry's `region`, else the one in a bedrock-runtime base URL. */
export function regionOf(target: Target): string {
  if (target.provider.region) return target.provider.region;
  return /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(target.baseUrl)?.[1] ?? DEFAULT_REGION;
}

export function validate(config: ProviderConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  if (config.enabled && config.keys.length === 0) problems.push({ path: ['keys'], message: `required: ${KEY_FORM}` });
  config.keys.forEach((key, index) => {
    if (key.includes(':') && !credentialsOf(key))
      problems.push({ path: ['keys', index], message: `must be ${KEY_FORM}` });
  });
  return problems;
}

/** Signs the built call (SigV4 over its final body), or adds the API key as a bearer token. */
export async function authorize(call: UpstreamCall, target: Target): Promise<UpstreamCall> {
  const key = target.key ?? '';
  const credentials = credentialsOf(key);
  if (!credentials) return { ...call, headers: { ...call.headers, authorization: `Bearer ${key}` } };
  const signed = signRequest(
    {
      method: call.method ?? 'POST',
      url: call.url,
      headers: call.headers,
      body: call.body ?? '',
      region: regionOf(target),
      service: 'bedrock',
    },
    credentials,
  );
  return { ...call, headers: { ...call.headers, ...signed } };
}
