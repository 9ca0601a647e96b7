import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { AdminClient } from './admin-client.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './stores.ts';

const UPSTREAM_KEY = 'sk-upstream-secret-0001';

test('an open gateway (no keys anywhere) closes once a channel is made in the admin API', async () => {
  const mock = await startMockUpstream();
  const gateway = await startGateway({
    auth: { keys: [] },
    providers: [{ name: 'cfg', type: 'openai', base_url: `${mock.url}/v1`, models: ['cfg-model'] }],
  });
  try {
    const ask = () =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'cfg-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
    expect((await ask()).status).toBe(200);
    const root = await AdminClient.root(gateway.url);
    const made = await root.call('POST', '/api/channels', {
      name: 'paid',
      type: 'openai',
      base_url: `${mock.url}/v1`,
      keys: ['sk-paid-key-0000000000'],
      models: ['paid-model'],
    });
    expect(made.status).toBe(201);
    expect((await ask()).status).toBe(401);
  } finally {
    await gateway.close();
    await mock.close();
  }
});

describe.each(ENGINES)('channels on %s', (engine) => {
  let mock: MockUpstream;
  let database: TestDatabase;
  let gateway: RunningGateway;
  let root: AdminClient;
  const config = () => ({
    providers: [
      { name: 'from-config', type: 'openai', base_url: `${mock.url}/v1`, keys: [UPSTREAM_KEY], models: ['cfg-model'] },
    ],
  });

  beforeAll(async () => {
    mock = await startMockUpstream({ keys: [UPSTREAM_KEY] });
    database = await createTestDatabase(engine);
    gateway = await startGateway(config(), { databaseUrl: database.url });
    root = await AdminClient.root(gateway.url);
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
    await database.drop();
  });
  beforeEach(() => mock.reset());

  const chat = (model: string, key = CLIENT_KEY, url = gateway.url) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
    });

  const channel = (name: string, extra: Record<string, unknown> = {}) =>
    root.call<{ id: string; keys: { hint: string }[]; status: string; status_reason: string | null }>(
      'POST',
      '/api/channels',
      { name, type: 'openai', base_url: `${mock.url}/v1`, keys: [UPSTREAM_KEY], models: [`${name}-model`], ...extra },
    );

  test('a channel made in the API routes at once, its key sealed at rest and never shown; disable and delete stop it', async () => {
    const made = await channel('live');
    expect(made.status).toBe(201);
    expect(JSON.stringify(made.body)).not.toContain(UPSTREAM_KEY);
    expect(made.body.keys).toEqual([expect.objectContaining({ hint: 'sk-upst…0001' })]);
    const res = await chat('live-model');
    expect(res.status).toBe(200);
    expect(mock.requests.at(-1)?.key).toBe(UPSTREAM_KEY);
    const row = await gateway.gw.store.db
      .selectFrom('channels')
      .selectAll()
      .where('name', '=', 'live')
      .executeTakeFirstOrThrow();
    expect(row.keys_sealed).not.toContain(UPSTREAM_KEY);
    expect(row.keys_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(await root.call('GET', '/api/channels'))).not.toContain(UPSTREAM_KEY);

    expect((await root.call('POST', `/api/channels/${made.body.id}/disable`)).status).toBe(200);
    expect((await chat('live-model')).status).toBe(404);
    expect((await root.call('POST', `/api/channels/${made.body.id}/enable`)).status).toBe(200);
    expect((await chat('live-model')).status).toBe(200);
    expect((await root.call('DELETE', `/api/channels/${made.body.id}`)).status).toBe(200);
    expect((await chat('live-model')).status).toBe(404);
  });

  test('config-file providers are listed read-only; names, types and settings are checked like the config file', async () => {
    const list = await root.call<{ id: string; source: string; read_only: boolean }[]>('GET', '/api/channels');
    expect(list.body).toContainEqual(
      expect.objectContaining({ id: 'config:from-config', source: 'config', read_only: true }),
    );
    expect((await root.call('PUT', '/api/channels/config:from-config', { weight: 2 })).status).toBe(403);
    expect((await channel('from-config')).status).toBe(409);
    const unknown = await channel('bad-type', { type: 'no-such-provider' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { param: 'type' } });
    const badUrl = await channel('bad-url', { base_url: 'not a url' });
    expect(badUrl.status).toBe(400);
    const vertex = await channel('bad-vertex', {
      type: 'vertex',
      base_url: undefined,
      keys: ['not a service account'],
    });
    expect(vertex.status).toBe(400);
    expect(vertex.body).toMatchObject({ error: { param: 'keys[0]' } });
  });

  test('the test action times a tiny request; an upstream refusal is reported without the key', async () => {
    const made = await channel('probe');
    const ok = await root.call<{ ok: boolean; latency_ms: number }>('POST', `/api/channels/${made.body.id}/test`, {});
    expect(ok.body).toMatchObject({ ok: true, model: 'probe-model', latency_ms: expect.any(Number) });
    const listed = await root.call<{ id: string; test_latency_ms: number | null }>(
      'GET',
      `/api/channels/${made.body.id}`,
    );
    expect(listed.body.test_latency_ms).toBe(ok.body.latency_ms);
    const wrongKey = 'sk-wrong-key-000000000042';
    const bad = await channel('probe-bad', { keys: [wrongKey] });
    const refused = await root.call<{ ok: boolean; error: string; status: number }>(
      'POST',
      `/api/channels/${bad.body.id}/test`,
    );
    expect(refused.body).toMatchObject({ ok: false, status: 401 });
    expect(refused.body.error).not.toContain(wrongKey);
    const cfg = await root.call('POST', '/api/channels/config:from-config/test');
    expect(cfg.body).toMatchObject({ ok: true, model: 'cfg-model' });
  });

  test('a 401 takes out a single-key channel: auto-disabled with the reason, back on enable', async () => {
    const made = await channel('doomed', { keys: ['sk-revoked-00000000000'] });
    expect((await chat('doomed-model')).status).toBe(502);
    await expect
      .poll(async () => (await root.call<{ status: string }>('GET', `/api/channels/${made.body.id}`)).body.status)
      .toBe('auto_disabled');
    const shown = await root.call<{ status_reason: string }>('GET', `/api/channels/${made.body.id}`);
    expect(shown.body.status_reason).toMatch(/401/);
    expect(shown.body.status_reason).not.toContain('sk-revoked-00000000000');
    expect((await chat('doomed-model')).status).toBe(404);
  });

  test('another instance on the same database picks up a channel change', async () => {
    const second = await startGateway(config(), { databaseUrl: database.url });
    try {
      await channel('shared');
      expect((await chat('shared-model', CLIENT_KEY, second.url)).status).toBe(404);
      expect(await second.gw.routing.sync()).toBe(true);
      expect((await chat('shared-model', CLIENT_KEY, second.url)).status).toBe(200);
      expect(await second.gw.routing.sync()).toBe(false);
    } finally {
      await second.close();
    }
  });

  test('a gateway with another SWITCHYARD_SECRET cannot open the keys: it says so and leaves the channel out', async () => {
    await channel('sealed');
    const other = await startGateway(config(), {
      databaseUrl: database.url,
      env: { SWITCHYARD_SECRET: 'a-completely-different-secret-value' },
    });
    try {
      expect((await chat('sealed-model', CLIENT_KEY, other.url)).status).toBe(404);
      const client = await AdminClient.root(other.url);
      const list = await client.call<{ name: string; status_reason: string | null; keys: unknown[] }[]>(
        'GET',
        '/api/channels',
      );
      expect(list.body.find((c) => c.name === 'sealed')).toMatchObject({
        keys: [],
        status_reason: expect.stringMatching(/cannot be opened/),
      });
    } finally {
      await other.close();
    }
  });

  test("a channel kept for a user group serves that group's tokens only", async () => {
    await root.call('POST', '/api/groups', { name: 'vip', ratio: 1 });
    await channel('private', { groups: ['vip'] });
    const vip = await root.newUser(`vip-${engine}`, { group: 'vip', quota_usd: 5 });
    const plain = await root.newUser(`plain-${engine}`, { quota_usd: 5 });
    const vipKey = (await vip.call<{ key: string }>('POST', '/api/tokens', { name: 'k' })).body.key;
    const plainKey = (await plain.call<{ key: string }>('POST', '/api/tokens', { name: 'k' })).body.key;
    expect((await chat('private-model', vipKey)).status).toBe(200);
    expect((await chat('private-model', plainKey)).status).toBe(404);
    const listed = async (key: string) => {
      const res = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    };
    expect(await listed(vipKey)).toContain('private-model');
    expect(await listed(plainKey)).not.toContain('private-model');
    // `random` never lands a plain user on a channel kept for another group.
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) statuses.add((await chat('random', plainKey)).status);
    expect(statuses).not.toContain(404);
  });

  test('a timeout given as "300ms" stays 300 ms through reads and edits, and upstream gets no longer', async () => {
    const made = await channel('timed', { limits: { timeout: '300ms', queue_timeout: '2s' } });
    expect(made.status).toBe(201);
    const limitsOf = async () =>
      (await root.call<{ settings: { limits: object } }>('GET', `/api/channels/${made.body.id}`)).body.settings.limits;
    expect(await limitsOf()).toEqual({ timeout: 300, queue_timeout: 2000 });
    expect((await root.call('PUT', `/api/channels/${made.body.id}`, { priority: 3 })).status).toBe(200);
    expect(await limitsOf()).toEqual({ timeout: 300, queue_timeout: 2000 });
    mock.enqueue({ delayMs: 1500 }, { model: 'timed-model' });
    expect((await chat('timed-model')).status).toBe(504);
  });

  test('an optional setting sent as null in an edit is cleared; one not sent is kept', async () => {
    const made = await channel('proxied', { proxy: 'http://127.0.0.1:9', weight: 3 });
    const settings = async () =>
      (await root.call<{ settings: Record<string, unknown> }>('GET', `/api/channels/${made.body.id}`)).body.settings;
    expect(await settings()).toMatchObject({ proxy: 'http://127.0.0.1:9', weight: 3 });
    expect((await root.call('PUT', `/api/channels/${made.body.id}`, { proxy: null })).status).toBe(200);
    const after = await settings();
    expect(after).not.toHaveProperty('proxy');
    expect(after).toMatchObject({ weight: 3 });
    expect((await chat('proxied-model')).status).toBe(200);
  });
});
