/**
 * Asks a provider's upstream which models it serves (for the admin API's channel forms): through the gateway's
 * connection pools and the provider's proxy, following the list's pages, within 15 seconds in all.
 */
import type { ProviderConfig } from '../config/schema.ts';
import { Cancellation } from '../core/cancellation.ts';
import { GatewayError, InvalidRequest, UpstreamError } from '../core/errors.ts';
import { withoutKeys } from '../core/redact.ts';
import type { Gateway } from '../gateway.ts';
import { providerDescriptor } from '../providers/index.ts';
import { providerRuntime } from './deployments.ts';
import { send } from './upstream.ts';

const TIMEOUT_MS = 15_000;
/** Pages followed at most: a list whose cursor never ends is an upstream's bug, not a reason to loop. */
const MAX_PAGES = 50;

/** The provider's models, sorted and unique; a refusal or an unreachable upstream is a 502 (504 when too slow). */
export async function upstreamModels(gw: Gateway, provider: ProviderConfig): Promise<string[]> {
  const descriptor = providerDescriptor(provider.type);
  if (!descriptor) throw new InvalidRequest(`Unknown provider type '${provider.type}'.`, { param: 'type' });
  const listing = descriptor.modelList;
  if (!listing) {
    throw new InvalidRequest(`A '${provider.type}' upstream cannot list its models: enter them by hand.`, {
      param: 'type',
      code: 'model_list_unsupported',
    });
  }
  if (!provider.base_url && !descriptor.baseUrlFor?.(provider) && !descriptor.defaultBaseUrl) {
    throw new InvalidRequest(`A '${provider.type}' upstream needs its base_url to list its models.`, {
      param: 'base_url',
    });
  }
  const runtime = providerRuntime(provider, gw.config, gw.upstreams);
  const target = { baseUrl: runtime.baseUrl, key: provider.keys[0], provider };
  const deadline = Date.now() + TIMEOUT_MS;
  const models = new Set<string>();
  let cursor: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await send(listing.request(target, cursor), {
        dispatcher: runtime.dispatcher,
        origin: runtime.origin,
        timeoutMs: Math.max(1, deadline - Date.now()),
        cancel: new Cancellation(),
        label: provider.name,
      });
      const body = await res.body.text();
      if (res.status >= 400) {
        throw new UpstreamError(
          `Upstream '${provider.name}' answered ${res.status}: ${descriptor.errorMessage(res.status, body)}`,
          { status: 502, upstreamStatus: res.status, retryable: false },
        );
      }
      const listed = listing.parse(body);
      for (const model of listed.models) models.add(model);
      if (!listed.next) break;
      cursor = listed.next;
    }
  } catch (err) {
    if (err instanceof GatewayError && err.kind === 'timeout') {
      throw new UpstreamError(`Upstream '${provider.name}' did not list its models within ${TIMEOUT_MS / 1000} s.`, {
        kind: 'timeout',
        retryable: false,
      });
    }
    // Whatever upstream said, the keys sent do not appear in the answer.
    if (err instanceof GatewayError) {
      throw new UpstreamError(withoutKeys(err.message, provider.keys), { status: 502, retryable: false });
    }
    throw err;
  }
  return [...models].sort();
}
