/**
 * One call to a deployment's upstream as the gateway makes it (relay, virtual models, channel tests): authorized
 * (signed, or with a token bought first), sent, and an error answer mapped to the gateway's error.
 */
import type { Cancellation } from '../core/cancellation.ts';
import { UpstreamError } from '../core/errors.ts';
import { withoutKeys } from '../core/redact.ts';
import { observeUpstreamCall } from '../metrics.ts';
import type { UpstreamCall } from '../providers/types.ts';
import type { Deployment } from './deployments.ts';
import { send, type UpstreamResponse, type Upstreams } from './upstream.ts';

const RETRYABLE_STATUS = new Set([401, 403, 408, 409, 425, 429, 500, 502, 503, 504]);

function retryAfterSeconds(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** A credential and, for composite ones (`ACCESS_KEY:SECRET`, `app|key`), each of its parts long enough to matter. */
function credentialParts(key: string | undefined): string[] {
  if (!key) return [];
  const parts = key.split(/[:|]/).filter((part) => part.length >= 8);
  return parts.length > 1 ? [key, ...parts] : [key];
}

/** An upstream error answer as the gateway's error: what the client sees, and whether another deployment may help. */
export async function upstreamFailure(res: UpstreamResponse, d: Deployment): Promise<UpstreamError> {
  const text = await res.body.text().catch(() => '');
  const descriptor = d.provider.descriptor;
  const status = descriptor.errorStatus?.(res.status, text) ?? res.status;
  // Upstream's words go to the client and the logs: never with the deployment's own credential in them.
  const detail = withoutKeys(descriptor.errorMessage(res.status, text), credentialParts(d.target.key));
  const message = `Upstream '${d.provider.config.name}' answered ${res.status}: ${detail}`;
  const retryAfter = retryAfterSeconds(res.header('retry-after'));
  // The client's request was fine when upstream refused the gateway's own key or was down: that is a 502, not theirs.
  const clientStatus = status === 429 ? 429 : status === 401 || status === 403 || status >= 500 ? 502 : status;
  return new UpstreamError(message, {
    upstreamStatus: status,
    status: clientStatus,
    retryable: RETRYABLE_STATUS.has(status),
    kind: status === 429 ? 'rate_limited' : 'upstream',
    code: status === 429 ? 'rate_limit_exceeded' : 'upstream_error',
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });
}

/**
 * Sends a built call to the deployment's upstream: signed or with a token bought first when the provider needs one
 * (through the deployment's proxy, on any origin), and once more with a fresh token when that token was refused.
 */
export async function callUpstream(
  upstreams: Upstreams,
  d: Deployment,
  call: UpstreamCall,
  cancel: Cancellation,
): Promise<UpstreamResponse> {
  const descriptor = d.provider.descriptor;
  const via = {
    dispatcher: d.provider.dispatcher,
    origin: d.provider.origin,
    timeoutMs: d.limits.timeoutMs,
    responseLimit: d.limits.responseLimit,
    cancel,
    label: d.provider.config.name,
  };
  const authorize = async (built: UpstreamCall): Promise<UpstreamCall> =>
    descriptor.authorize
      ? descriptor.authorize(built, d.target, async (exchange) => {
          const origin = new URL(exchange.url).origin;
          const dispatcher = origin === via.origin ? via.dispatcher : upstreams.dispatcher(origin, d.provider.proxy);
          const answer = await send(exchange, { ...via, origin, dispatcher });
          return { status: answer.status, body: await answer.body.text() };
        })
      : built;
  let sent = await authorize(call);
  observeUpstreamCall(via.label);
  let res = await send(sent, via);
  if (res.status === 401 && sent !== call && descriptor.unauthorized?.(sent, d.target)) {
    // The token was refused, not (yet) the credential: once more with a fresh one.
    await res.body.text().catch(() => '');
    sent = await authorize(call);
    observeUpstreamCall(via.label);
    res = await send(sent, via);
  }
  return res;
}
