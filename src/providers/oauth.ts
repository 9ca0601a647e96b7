/** OAuth 2 token requests with a form body: Baidu's client-credentials grant, Google's JWT-bearer grant. */
import { redactSecrets } from '../core/redact.ts';
import type { AuthSend } from './types.ts';

export interface TokenReply {
  status: number;
  /** The access token, when the answer carried one and its status was a success. */
  token: string | undefined;
  /** Seconds the token lives, when the answer says. */
  expiresIn: number | undefined;
  /** The answer named an OAuth error (`invalid_client`, `invalid_grant`, …). */
  oauthError: boolean;
  /** Why there is no token, fit for a message: the OAuth error's description, its code, or the HTTP status. */
  why: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

/** POSTs `form` to `url` and reads the OAuth answer; credentials travel in the body, never in a logged query string. */
export async function requestToken(send: AuthSend, url: string, form: Record<string, string>): Promise<TokenReply> {
  const res = await send({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  let answer: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    answer = JSON.parse(res.body) as typeof answer;
  } catch {
    // not JSON: reported by status
  }
  const token = res.status < 400 ? text(answer.access_token) : undefined;
  return {
    status: res.status,
    token,
    expiresIn: typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : undefined,
    oauthError: answer.error !== undefined,
    why: redactSecrets(text(answer.error_description) ?? text(answer.error) ?? `HTTP ${res.status}`),
  };
}
