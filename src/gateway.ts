/** The gateway's runtime: config, router, upstream pools, client keys and logger, built once at start-up. */
import type { Config } from './config/schema.ts';
import type { Logger } from './log.ts';
import { buildRoutingTable } from './router/deployments.ts';
import { Router } from './router/router.ts';
import { Upstreams } from './router/upstream.ts';
import { ClientKeys } from './server/auth.ts';
import { KeyHealth } from './state/key-health.ts';
import { MemoryResponseStore, type ResponseStore } from './state/response-store.ts';

export interface Gateway {
  config: Config;
  log: Logger;
  router: Router;
  keys: ClientKeys;
  keyHealth: KeyHealth;
  upstreams: Upstreams;
  /** Responses API answers kept for `previous_response_id` and `GET /v1/responses/{id}`. */
  responses: ResponseStore;
  /** Set when shutdown began: /readyz answers 503 so load balancers stop sending. */
  closing: boolean;
}

export function createGateway(config: Config, log: Logger): Gateway {
  const upstreams = new Upstreams();
  const keyHealth = new KeyHealth();
  const table = buildRoutingTable(config, upstreams);
  const router = new Router(table, {
    strategy: config.routing.strategy,
    retries: config.routing.retries,
    cooldownMs: config.routing.cooldown_on_429,
    keyHealth,
    onKeyEvent: (e) => {
      if (e.kind === 'disabled')
        log.error({ upstream_key: e.keyId, reason: e.reason }, 'upstream key taken out of rotation');
      else
        log.warn(
          { upstream_key: e.keyId, until: new Date(e.untilMs ?? 0).toISOString(), reason: e.reason },
          'upstream key cooling down',
        );
    },
  });
  return {
    config,
    log,
    router,
    keys: new ClientKeys(config.auth.keys),
    keyHealth,
    upstreams,
    responses: new MemoryResponseStore(),
    closing: false,
  };
}
