/**
 * The live router over the config's providers and the database's channels: rebuilt when a channel changes here,
 * and when a periodic check sees that another instance changed one. Key health survives rebuilds. A channel whose
 * every key upstream refused (401/403) is marked auto-disabled in the database, with the reason.
 */
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { KeyHealth } from '../state/key-health.ts';
import { channelsFingerprint, routableChannels } from '../store/channels.ts';
import type { Store } from '../store/db.ts';
import type { Secret } from '../store/secret.ts';
import { buildRoutingTable, type StoredChannel } from './deployments.ts';
import { type DeploymentGate, Router } from './router.ts';
import type { Upstreams } from './upstream.ts';

/** How often another instance's channel edits are looked for. */
const SYNC_EVERY_MS = 5_000;

export interface RoutingDeps {
  config: Config;
  log: Logger;
  store: Store;
  secret: Secret;
  upstreams: Upstreams;
  keyHealth: KeyHealth;
  /** Deployment limits across instances (Redis); without it, each instance enforces them alone. */
  gate?: DeploymentGate | undefined;
}

export class Routing {
  private readonly deps: RoutingDeps;
  private current: Router;
  private channels: StoredChannel[] = [];
  private fingerprint = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: RoutingDeps) {
    this.deps = deps;
    this.current = this.build([]);
  }

  get router(): Router {
    return this.current;
  }

  /** The channel names now routing from the database. */
  get channelNames(): ReadonlySet<string> {
    return new Set(this.channels.map((c) => c.provider.name));
  }

  /** Reads the channels and rebuilds the router; then keeps looking for changes made elsewhere. */
  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.sync().catch((err: unknown) => this.deps.log.warn({ err: (err as Error).message }, 'channel sync failed'));
    }, SYNC_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    const { store, secret, log } = this.deps;
    this.fingerprint = await channelsFingerprint(store);
    this.channels = await routableChannels(store, secret, (name, err) =>
      log.error({ channel: name, err: err.message }, 'channel left out of routing'),
    );
    this.current = this.build(this.channels);
  }

  /** Rebuilds when the channels changed since the last look (another instance's edit). */
  async sync(): Promise<boolean> {
    if ((await channelsFingerprint(this.deps.store)) === this.fingerprint) return false;
    await this.reload();
    return true;
  }

  private build(channels: StoredChannel[]): Router {
    const { config, upstreams, keyHealth, log, gate } = this.deps;
    return new Router(buildRoutingTable(config, upstreams, channels), {
      strategy: config.routing.strategy,
      retries: config.routing.retries,
      cooldownMs: config.routing.cooldown_on_429,
      keyHealth,
      gate,
      onKeyEvent: (e) => {
        if (e.kind === 'disabled') {
          log.error({ upstream_key: e.keyId, reason: e.reason }, 'upstream key taken out of rotation');
          this.disableIfDead(e.keyId, e.reason).catch((err: unknown) =>
            log.error({ err: (err as Error).message }, 'marking a channel disabled failed'),
          );
        } else {
          log.warn(
            { upstream_key: e.keyId, until: new Date(e.untilMs ?? 0).toISOString(), reason: e.reason },
            'upstream key cooling down',
          );
        }
      },
    });
  }

  /** A database channel whose keys were all refused is marked auto-disabled, with why, and leaves routing. */
  private async disableIfDead(keyId: string, reason: string): Promise<void> {
    const channel = this.channels.find((c) => keyId.startsWith(`${c.provider.name}/key#`));
    if (!channel) return;
    const keyIds = channel.provider.keys.map((_, i) => `${channel.provider.name}/key#${i + 1}`);
    if (!keyIds.every((id) => this.deps.keyHealth.status(id).disabledReason !== undefined)) return;
    await this.deps.store.db
      .updateTable('channels')
      .set({ status: 'auto_disabled', status_reason: reason.slice(0, 1000), updated_at: Date.now() })
      .where('name', '=', channel.provider.name)
      .where('status', '=', 'enabled')
      .execute();
    await this.reload();
  }
}
