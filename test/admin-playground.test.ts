import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AdminClient } from './admin-client.ts';
import { type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './stores.ts';

interface Log {
  token_name: string;
  model: string;
  status: number;
  stream: boolean;
  cost_usd: number;
  user_id: number;
}

describe.each(ENGINES)('the admin UI playground on %s', (engine) => {
  let mock: MockUpstream;
  let database: TestDatabase;
  let gateway: RunningGateway;
  let root: AdminClient;
  let alice: AdminClient & { id: number };

  beforeAll(async () => {
    mock = await startMockUpstream();
    database = await createTestDatabase(engine);
    // No client keys: the relay is open until a token exists, and a playground token must not close it.
    gateway = await startGateway(
      {
        auth: { keys: [] },
        providers: [{ name: 'cfg', type: 'openai', base_url: `${mock.url}/v1`, models: ['gpt-4o-mini'] }],
        prices: { 'gpt-4o-mini': { input: 1, output: 2 } },
      },
      { databaseUrl: database.url },
    );
    root = await AdminClient.root(gateway.url);
    await root.call('POST', '/api/groups', { name: 'vip', ratio: 1 });
    alice = await root.newUser(`alice-${engine}`, { quota_usd: 5 });
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
    await database.drop();
  });

  const chat = (client: AdminClient, body: Record<string, unknown>) =>
    fetch(`${gateway.url}/api/playground/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(client.cookie ? { cookie: client.cookie } : {}) },
      body: JSON.stringify(body),
    });

  test('a logged-in user lists the models their group may use, not another group’s', async () => {
    await root.call('POST', '/api/channels', {
      name: 'vip-only',
      type: 'openai',
      base_url: `${mock.url}/v1`,
      keys: ['sk-vip-upstream-000000'],
      models: ['vip-model'],
      groups: ['vip'],
    });
    const vip = await root.newUser(`vip-${engine}`, { group: 'vip' });
    const ids = async (client: AdminClient) =>
      (await client.call<{ id: string }[]>('GET', '/api/playground/models')).body.map((m) => m.id);
    expect(await ids(alice)).toContain('gpt-4o-mini');
    expect(await ids(alice)).not.toContain('vip-model');
    expect(await ids(vip)).toEqual(expect.arrayContaining(['gpt-4o-mini', 'vip-model']));
  });

  test('a chat is answered, billed to the user and logged under the token “playground”', async () => {
    const before = (await alice.call<{ used_usd: number }>('GET', '/api/auth/self')).body.used_usd;
    const res = await chat(alice, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    const answer = (await res.json()) as { object: string; choices: { message: { content: string } }[] };
    expect(answer.object).toBe('chat.completion');
    expect(answer.choices[0]!.message.content.length).toBeGreaterThan(0);
    const logs = await alice.call<{ items: Log[] }>('GET', `/api/logs?request_id=${requestId}`);
    expect(logs.body.items).toEqual([
      expect.objectContaining({ token_name: 'playground', model: 'gpt-4o-mini', status: 200, user_id: alice.id }),
    ]);
    const cost = logs.body.items[0]!.cost_usd;
    expect(cost).toBeGreaterThan(0);
    const after = (await alice.call<{ used_usd: number }>('GET', '/api/auth/self')).body.used_usd;
    expect(after - before).toBeCloseTo(cost, 6);
  });

  test('a streamed chat arrives as Chat Completions SSE ending with [DONE]', async () => {
    const res = await chat(alice, {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Count to three' }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text();
    const events = text.split('\n\n').filter((e) => e.startsWith('data: '));
    expect(events.at(-1)).toBe('data: [DONE]');
    const deltas = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice(6)) as { choices: { delta: { content?: string } }[] })
      .map((c) => c.choices[0]?.delta.content ?? '')
      .join('');
    expect(deltas.length).toBeGreaterThan(0);
  });

  test('the playground token is not an API token: not listed, and the open relay stays open', async () => {
    const tokens = await alice.call<{ items: { name: string }[]; total: number }>('GET', '/api/tokens');
    expect(tokens.body.total).toBe(0);
    const all = await root.call<{ items: { name: string }[] }>('GET', '/api/tokens');
    expect(all.body.items.map((t) => t.name)).not.toContain('playground');
    // The vip channel above closed the relay (a database channel does); the playground's token is not why.
    await root.call('DELETE', `/api/channels/${await channelId('vip-only')}`);
    const open = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(open.status).toBe(200);
  });

  async function channelId(name: string): Promise<string> {
    const list = await root.call<{ id: string; name: string }[]>('GET', '/api/channels');
    return list.body.find((c) => c.name === name)!.id;
  }

  test('without a session the playground answers 401 in OpenAI’s error format', async () => {
    const res = await chat(new AdminClient(gateway.url), {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { type: expect.any(String), message: expect.any(String) } });
  });

  test('a model the user’s group cannot use is refused as unknown, and nothing reaches upstream', async () => {
    const sent = mock.requests.length;
    const res = await chat(alice, { model: 'vip-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    expect(mock.requests.length).toBe(sent);
  });

  test('a user out of balance gets 429 insufficient_quota from the playground', async () => {
    const broke = await root.newUser(`broke-${engine}`, { quota_usd: 0 });
    const res = await chat(broke, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('insufficient_quota');
  });
});
