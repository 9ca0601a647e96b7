import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AdminClient } from './admin-client.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './stores.ts';
import { insertLogs, usageLog } from './usage-logs.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Health {
  requests_1h: number;
  errors_1h: number;
  avg_latency_ms_1h: number | null;
  last_used_at: number | null;
  last_error: { at: number; status: number; message: string | null } | null;
}
interface Channel {
  id: string;
  name: string;
  health: Health;
}

describe.each(ENGINES)('channel health on %s', (engine) => {
  let mock: MockUpstream;
  let database: TestDatabase;
  let gateway: RunningGateway;
  let root: AdminClient;
  let now: number;

  beforeAll(async () => {
    mock = await startMockUpstream();
    database = await createTestDatabase(engine);
    gateway = await startGateway(
      { providers: [{ name: 'from-config', type: 'openai', base_url: `${mock.url}/v1`, models: ['cfg-model'] }] },
      { databaseUrl: database.url },
    );
    root = await AdminClient.root(gateway.url);
    for (const name of ['live', 'idle', 'stale']) {
      await root.call('POST', '/api/channels', {
        name,
        type: 'openai',
        base_url: `${mock.url}/v1`,
        keys: ['sk-channel-key-0000'],
        models: [`${name}-model`],
      });
    }
    now = Date.now();
    await insertLogs(gateway.gw.store, [
      usageLog({ user_id: 1, channel: 'from-config', created_at: now - 50 * MINUTE, latency_ms: 100 }),
      usageLog({ user_id: 1, channel: 'from-config', created_at: now - 20 * MINUTE, latency_ms: 300 }),
      usageLog({
        user_id: 1,
        channel: 'from-config',
        created_at: now - 10 * MINUTE,
        latency_ms: 200,
        status: 500,
        error: 'boom',
      }),
      usageLog({ user_id: 1, channel: 'from-config', created_at: now - 2 * HOUR, latency_ms: 5000 }),
      usageLog({
        user_id: 1,
        channel: 'live',
        created_at: now - 2 * DAY,
        status: 429,
        error: 'rate limited upstream',
      }),
      usageLog({ user_id: 1, channel: 'live', created_at: now - 3 * HOUR }),
      usageLog({ user_id: 1, channel: 'stale', created_at: now - 8 * DAY, status: 401, error: 'old refusal' }),
      usageLog({ user_id: 1, channel: null, created_at: now - MINUTE, status: 404, error: 'no such model' }),
    ]);
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
    await database.drop();
  });

  const listed = async (): Promise<Map<string, Channel>> => {
    const answer = await root.call<Channel[]>('GET', '/api/channels');
    return new Map(answer.body.map((c) => [c.name, c]));
  };

  test('the last hour’s requests, errors and latency, and the last error within a week, per channel', async () => {
    const channels = await listed();
    expect(channels.get('from-config')!.health).toEqual({
      requests_1h: 3,
      errors_1h: 1,
      avg_latency_ms_1h: 200,
      last_used_at: now - 10 * MINUTE,
      last_error: { at: now - 10 * MINUTE, status: 500, message: 'boom' },
    });
    expect(channels.get('live')!.health).toEqual({
      requests_1h: 0,
      errors_1h: 0,
      avg_latency_ms_1h: null,
      last_used_at: now - 3 * HOUR,
      last_error: { at: now - 2 * DAY, status: 429, message: 'rate limited upstream' },
    });
    const unused = { requests_1h: 0, errors_1h: 0, avg_latency_ms_1h: null, last_used_at: null, last_error: null };
    expect(channels.get('idle')!.health).toEqual(unused);
    expect(channels.get('stale')!.health).toEqual(unused);
  });

  test('a relayed request counts for its channel at once, on the list and on the channel itself', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'live-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const live = (await listed()).get('live')!;
    expect(live.health).toMatchObject({ requests_1h: 1, errors_1h: 0, last_error: { status: 429 } });
    expect(live.health.avg_latency_ms_1h).toEqual(expect.any(Number));
    expect(live.health.last_used_at).toBeGreaterThanOrEqual(now);
    const one = await root.call<Channel>('GET', `/api/channels/${live.id}`);
    expect(one.body.health).toEqual(live.health);
    const configured = await root.call<Channel>('GET', '/api/channels/config:from-config');
    expect(configured.body.health).toMatchObject({ requests_1h: 3, errors_1h: 1 });
  });
});
