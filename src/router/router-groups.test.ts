/** Channels kept for user groups: the router offers their deployments only to callers of those groups. */
import { describe, expect, test } from 'vitest';
import { type ConfigInput, configSchema, providerSchema } from '../config/schema.ts';
import { Cancellation } from '../core/cancellation.ts';
import { KeyHealth } from '../state/key-health.ts';
import { buildRoutingTable, type Deployment, type StoredChannel } from './deployments.ts';
import { Router } from './router.ts';
import { Upstreams } from './upstream.ts';

function channel(name: string, models: string[], groups: string[]): StoredChannel {
  const provider = providerSchema.parse({
    name,
    type: 'openai',
    base_url: 'http://127.0.0.1:1/v1',
    keys: ['k'],
    models,
  });
  return { provider, groups };
}

function routerFor(input: ConfigInput, channels: StoredChannel[]): Router {
  const config = configSchema.parse(input);
  return new Router(buildRoutingTable(config, new Upstreams(), channels), {
    strategy: config.routing.strategy,
    retries: config.routing.retries,
    cooldownMs: config.routing.cooldown_on_429,
    keyHealth: new KeyHealth(),
  });
}

const cancel = new Cancellation();
const served = async (d: Deployment) => d.keyId;

describe('user-group channels', () => {
  const router = routerFor(
    {
      providers: [{ name: 'cfg', type: 'openai', base_url: 'http://127.0.0.1:2/v1', keys: ['k'], models: ['shared'] }],
    },
    [channel('vip', ['shared', 'vip-only'], ['vip', 'staff']), channel('open', ['shared'], [])],
  );

  test("a group-only channel's model resolves for its groups and is not found for others", () => {
    expect(router.resolve('vip-only', 'chat', 'vip')).toBe('vip-only');
    expect(router.resolve('vip-only', 'chat', 'staff')).toBe('vip-only');
    expect(() => router.resolve('vip-only', 'chat', 'default')).toThrow(/does not exist/);
    expect(() => router.resolve('vip-only', 'chat')).toThrow(/does not exist/);
  });

  test('the model list shows a group-only model only to its groups', () => {
    const names = (g?: string) => router.modelNames(g).map((m) => m.id);
    expect(names('vip')).toContain('vip-only');
    expect(names('default')).not.toContain('vip-only');
    expect(names('default')).toContain('shared');
  });

  test('callers of another group are never sent to a group-only channel; config providers and open channels serve all', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const { value, lease } = await router.run('shared', 'chat', served, cancel, 'default');
      lease.release();
      seen.add(value);
    }
    expect(seen).toEqual(new Set(['cfg/key#1', 'open/key#1']));
  });

  test("the group's own callers may be sent to its channel", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const { value, lease } = await router.run('shared', 'chat', served, cancel, 'vip');
      lease.release();
      seen.add(value);
    }
    expect(seen.has('vip/key#1')).toBe(true);
  });

  test('run never sends a caller outside its groups to a group-only model', async () => {
    const tried: string[] = [];
    const record = async (d: Deployment) => {
      tried.push(d.keyId);
      return d.keyId;
    };
    await expect(router.run('vip-only', 'chat', record, cancel, 'default')).rejects.toThrow(/No usable deployment/);
    expect(tried).toEqual([]);
    const { value, lease } = await router.run('vip-only', 'chat', served, cancel, 'vip');
    lease.release();
    expect(value).toBe('vip/key#1');
  });
});
