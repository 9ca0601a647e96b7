/** Routes a request to a deployment: resolves the model, applies limits and the strategy, retries elsewhere, cools keys down. */
import type { Strategy } from '../config/schema.ts';
import type { Cancellation } from '../core/cancellation.ts';
import { type GatewayError, ModelNotFound, RateLimited, requestCancelled, UpstreamError } from '../core/errors.ts';
import { observeRetry, observeUpstreamFailure, rejected } from '../metrics.ts';
import type { Endpoint } from '../providers/types.ts';
import type { KeyHealth } from '../state/key-health.ts';
import { SlidingWindow } from '../state/rate-window.ts';
import type { Deployment, RoutingTable } from './deployments.ts';
import { choose } from './strategy.ts';

/** A deployment's live state in this process: requests in flight and its rate windows. */
interface Slot {
  deployment: Deployment;
  weight: number;
  priority: number;
  inFlight: number;
  rps: SlidingWindow | undefined;
  rpm: SlidingWindow | undefined;
  /** Refused by the shared gate until then (epoch ms): other instances are using its capacity. */
  blockedUntil: number;
}

interface Waiter {
  wake(): boolean;
}

/** The deployments serving one client-facing model, with the queue of requests waiting for capacity. */
interface Group {
  model: string;
  slots: Slot[];
  waiters: Waiter[];
  turn: number;
  /** Some deployment serves only some user groups. */
  grouped: boolean;
}

export interface Lease {
  deployment: Deployment;
  /** Attempts made, this one included. */
  attempts: number;
  release(): void;
}

/**
 * Deployment limits counted across instances (Redis). While it is up, a deployment with limits is admitted by it
 * (and holds a lease until released); while it is down, each instance enforces the limits alone.
 */
export interface DeploymentGate {
  readonly up: boolean;
  /** wait 0: admitted; above 0: ms until a rate has room; -1: at its concurrency cap on every instance together. */
  admit(d: Deployment): Promise<{ wait: number; release?: () => void }>;
}

export interface RouterOptions {
  strategy: Strategy;
  retries: number;
  cooldownMs: number;
  keyHealth: KeyHealth;
  gate?: DeploymentGate | undefined;
  onKeyEvent?: (event: { keyId: string; kind: 'cooldown' | 'disabled'; reason: string; untilMs?: number }) => void;
}

/** Whether the deployment serves callers of this user group (config providers and ungrouped channels serve all). */
function serves(d: Deployment, userGroup: string | undefined): boolean {
  return d.groups === undefined || (userGroup !== undefined && d.groups.has(userGroup));
}

/** How soon a deployment at its shared concurrency cap is looked at again (a lease freed elsewhere wakes no one here). */
const SHARED_POLL_MS = 50;

export type Attempt<T> = (deployment: Deployment) => Promise<T>;

export class Router {
  private readonly groups = new Map<string, Group>();
  private readonly aliases: Map<string, string>;
  private readonly opts: RouterOptions;
  private readonly chatModels: string[];

  constructor(table: RoutingTable, opts: RouterOptions) {
    this.opts = opts;
    this.aliases = table.aliases;
    for (const [model, deployments] of table.models) {
      const slots = deployments.map(
        (deployment): Slot => ({
          deployment,
          weight: deployment.weight,
          priority: deployment.priority,
          inFlight: 0,
          rps: deployment.limits.rps ? new SlidingWindow(deployment.limits.rps, 1000) : undefined,
          rpm: deployment.limits.rpm ? new SlidingWindow(deployment.limits.rpm, 60_000) : undefined,
          blockedUntil: 0,
        }),
      );
      const grouped = deployments.some((d) => d.groups !== undefined);
      this.groups.set(model, { model, slots, waiters: [], turn: 0, grouped });
    }
    this.chatModels = [...table.models].filter(([, ds]) => ds.some((d) => d.endpoints.has('chat'))).map(([m]) => m);
  }

  /** Every model name a client (of this user group) may ask for: served models, aliases and `random`. */
  modelNames(userGroup?: string): { id: string; ownedBy: string }[] {
    const names = [...this.groups.values()]
      .filter((g) => !g.grouped || g.slots.some((s) => serves(s.deployment, userGroup)))
      .map((g) => ({ id: g.model, ownedBy: g.slots[0]!.deployment.provider.config.name }));
    for (const alias of this.aliases.keys())
      if (!this.groups.has(alias)) names.push({ id: alias, ownedBy: 'switchyard' });
    if (!this.groups.has('random') && this.chatModels.length) names.push({ id: 'random', ownedBy: 'switchyard' });
    return names;
  }

  /** Whether a client may name this model at all: a served model, an alias, or `random` (bounds metric labels). */
  knows(name: string): boolean {
    return this.groups.has(name) || this.aliases.has(name) || (name === 'random' && this.chatModels.length > 0);
  }

  /** Whether any deployment of a served model is of this provider type (e.g. who can count tokens upstream). */
  servedBy(model: string, type: string): boolean {
    return this.groups.get(model)?.slots.some((slot) => slot.deployment.provider.descriptor.type === type) === true;
  }

  /**
   * The served model a requested name routes to: itself, its alias target, or any model for `random`; not found when
   * no deployment of it serves the endpoint for the caller's user group.
   */
  resolve(requested: string, endpoint: Endpoint, userGroup?: string): string {
    let model = requested;
    if (!this.groups.has(model)) {
      const aliased = this.aliases.get(model);
      if (aliased !== undefined) model = aliased;
      else if (model === 'random' && this.chatModels.length && endpoint !== 'embeddings') {
        model = this.randomChatModel(userGroup) ?? model;
      }
    }
    const group = this.groups.get(model);
    if (!group?.slots.some((s) => s.deployment.endpoints.has(endpoint) && serves(s.deployment, userGroup))) {
      throw new ModelNotFound(requested);
    }
    return model;
  }

  /** Any chat model the caller's user group may use (group-only channels' models only for their groups). */
  private randomChatModel(userGroup: string | undefined): string | undefined {
    const open = (m: string): boolean => {
      const group = this.groups.get(m)!;
      return (
        !group.grouped || group.slots.some((s) => s.deployment.endpoints.has('chat') && serves(s.deployment, userGroup))
      );
    };
    const candidates = this.chatModels.some((m) => this.groups.get(m)!.grouped)
      ? this.chatModels.filter(open)
      : this.chatModels;
    return candidates[Math.floor(Math.random() * candidates.length)];
  }

  /**
   * Runs `attempt` on a deployment of `model`, trying further deployments (up to `retries`) after a retryable failure.
   * On success the caller owns the lease and releases it when the answer has been fully relayed.
   */
  async run<T>(
    model: string,
    endpoint: Endpoint,
    attempt: Attempt<T>,
    cancel: Cancellation,
    userGroup?: string,
  ): Promise<{ value: T; lease: Lease }> {
    const group = this.groups.get(model);
    if (!group) throw new ModelNotFound(model);
    const tried = new Set<Slot>();
    // Deployments of channels kept for other user groups count as already tried.
    if (group.grouped) for (const s of group.slots) if (!serves(s.deployment, userGroup)) tried.add(s);
    let lastError: UpstreamError | undefined;
    /** The deployment whose failure the next attempt retries. */
    let failed: Deployment | undefined;
    for (let n = 1; n <= this.opts.retries + 1; n++) {
      const { slot, shared } = await this.acquire(group, endpoint, tried, cancel, lastError);
      if (failed) observeRetry(failed.provider.config.name, lastError!);
      tried.add(slot);
      try {
        const value = await attempt(slot.deployment);
        return { value, lease: this.lease(group, slot, n, shared) };
      } catch (err) {
        shared?.();
        this.release(group, slot);
        if (!(err instanceof UpstreamError)) throw err;
        this.observeFailure(slot, err);
        if (!err.retryable || cancel.aborted) throw err;
        lastError = err;
        failed = slot.deployment;
      }
    }
    throw lastError!;
  }

  private lease(group: Group, slot: Slot, attempts: number, shared: (() => void) | undefined): Lease {
    let released = false;
    return {
      deployment: slot.deployment,
      attempts,
      release: () => {
        if (released) return;
        released = true;
        shared?.();
        this.release(group, slot);
      },
    };
  }

  private observeFailure(slot: Slot, err: UpstreamError): void {
    const { keyId } = slot.deployment;
    observeUpstreamFailure(slot.deployment.provider.config.name, err);
    if (err.upstreamStatus === 429) {
      const untilMs = Date.now() + (err.retryAfter !== undefined ? err.retryAfter * 1000 : this.opts.cooldownMs);
      this.opts.keyHealth.coolDown(keyId, untilMs);
      this.opts.onKeyEvent?.({ keyId, kind: 'cooldown', reason: err.message, untilMs });
    } else if (err.upstreamStatus === 401 || err.upstreamStatus === 403) {
      const reason = `upstream answered ${err.upstreamStatus}: ${err.message}`;
      this.opts.keyHealth.disable(keyId, reason);
      this.opts.onKeyEvent?.({ keyId, kind: 'disabled', reason });
    }
  }

  /** Takes a slot on the best available deployment, waiting (up to the queue timeout) when all are at their limits. */
  private async acquire(
    group: Group,
    endpoint: Endpoint,
    tried: Set<Slot>,
    cancel: Cancellation,
    lastError: GatewayError | undefined,
  ): Promise<{ slot: Slot; shared?: (() => void) | undefined }> {
    let deadline = 0;
    for (;;) {
      const now = Date.now();
      const pick = this.pick(group, endpoint, tried, now);
      if (pick.slot) {
        const { gate } = this.opts;
        const d = pick.slot.deployment;
        if (!gate?.up || (!d.limits.rps && !d.limits.rpm && d.limits.concurrency === undefined)) return pick;
        const admitted = await gate.admit(d);
        if (admitted.wait === 0) return { slot: pick.slot, shared: admitted.release };
        // Full across instances: look again when a rate has room, or soon for a lease another instance may free.
        this.release(group, pick.slot);
        pick.slot.blockedUntil = Date.now() + (admitted.wait > 0 ? admitted.wait : SHARED_POLL_MS);
        continue;
      }
      if (pick.readyAt === Number.POSITIVE_INFINITY) {
        if (lastError) throw lastError;
        const reasons = group.slots
          .map((s) => this.opts.keyHealth.status(s.deployment.keyId).disabledReason)
          .filter(Boolean);
        const why = reasons.length ? ` (${reasons[0]})` : '';
        throw new UpstreamError(
          `No usable deployment for model '${group.model}': every upstream key is disabled${why}.`,
          {
            retryable: false,
            kind: 'unavailable',
            status: 503,
            code: 'no_available_deployment',
          },
        );
      }
      if (deadline === 0) deadline = now + pick.queueTimeoutMs;
      const byConcurrency = pick.readyAt === Number.MAX_SAFE_INTEGER;
      const wait = byConcurrency ? deadline - now : pick.readyAt - now;
      if (now + wait > deadline || now >= deadline || cancel.aborted) {
        // The client left (or shutdown ended the request) while waiting: that, not the queue or an earlier attempt, is
        // what ended it.
        if (cancel.aborted) throw cancel.reason ?? requestCancelled();
        if (lastError) throw lastError;
        rejected.deployment_queue_timeout.inc();
        const retryAfter = byConcurrency ? 1 : Math.max(1, Math.ceil((pick.readyAt - now) / 1000));
        throw new RateLimited(
          `Every deployment of model '${group.model}' is at its limit; try again later.`,
          retryAfter,
        );
      }
      await this.waitForCapacity(group, wait, cancel);
    }
  }

  /** The chosen slot, or when none is free now: when one may be (Infinity if never) and how long to queue. */
  private pick(
    group: Group,
    endpoint: Endpoint,
    tried: Set<Slot>,
    now: number,
  ): { slot: Slot; readyAt: 0; queueTimeoutMs: 0 } | { slot: undefined; readyAt: number; queueTimeoutMs: number } {
    const health = this.opts.keyHealth;
    let tier: Slot[] = [];
    let tierPriority = Number.POSITIVE_INFINITY;
    let readyAt = Number.POSITIVE_INFINITY;
    let queueTimeoutMs = 0;
    for (const slot of group.slots) {
      const d = slot.deployment;
      if (tried.has(slot) || !d.endpoints.has(endpoint)) continue;
      if (!health.usable(d.keyId, now)) {
        readyAt = Math.min(readyAt, health.usableAt(d.keyId));
        queueTimeoutMs = Math.max(queueTimeoutMs, d.limits.queueTimeoutMs);
        continue;
      }
      const busyUntil = this.busyUntil(slot, now);
      if (busyUntil > 0) {
        readyAt = Math.min(readyAt, busyUntil);
        queueTimeoutMs = Math.max(queueTimeoutMs, d.limits.queueTimeoutMs);
        continue;
      }
      if (slot.priority < tierPriority) {
        tierPriority = slot.priority;
        tier = [slot];
      } else if (slot.priority === tierPriority) tier.push(slot);
    }
    if (tier.length === 0) return { slot: undefined, readyAt, queueTimeoutMs };
    const slot = choose(this.opts.strategy, tier, group.turn++);
    if (!this.opts.gate?.up) {
      slot.rps?.take(now);
      slot.rpm?.take(now);
    }
    slot.inFlight++;
    return { slot, readyAt: 0, queueTimeoutMs: 0 };
  }

  /** 0 when the slot can take a request now; otherwise the epoch ms to look again (a release also wakes waiters). */
  private busyUntil(slot: Slot, now: number): number {
    if (this.opts.gate?.up) return slot.blockedUntil > now ? slot.blockedUntil : 0;
    const { concurrency } = slot.deployment.limits;
    // At its concurrency cap: free again whenever a request ends, which wakes the waiters; look again by the deadline.
    if (concurrency !== undefined && slot.inFlight >= concurrency) return Number.MAX_SAFE_INTEGER;
    if (slot.rps && !slot.rps.fits(now)) return now + slot.rps.msUntilFree(now);
    if (slot.rpm && !slot.rpm.fits(now)) return now + slot.rpm.msUntilFree(now);
    return 0;
  }

  private release(group: Group, slot: Slot): void {
    slot.inFlight--;
    while (group.waiters.length) {
      if (group.waiters.shift()!.wake()) break;
    }
  }

  private waitForCapacity(group: Group, ms: number, cancel: Cancellation): Promise<void> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        unsubscribe();
        const i = group.waiters.indexOf(waiter);
        if (i !== -1) group.waiters.splice(i, 1);
        resolve();
        return true;
      };
      const waiter: Waiter = { wake: done };
      const timer = setTimeout(done, Math.max(1, ms));
      const unsubscribe = cancel.onAbort(done);
      group.waiters.push(waiter);
    });
  }
}
