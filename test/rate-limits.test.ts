import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config/loader.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

describe('per-caller rate limits', () => {
  let mock: MockUpstream;
  let gateway: RunningGateway;
  beforeAll(async () => {
    mock = await startMockUpstream();
    gateway = await startGateway({
      auth: { keys: [CLIENT_KEY, 'sk-second-key'] },
      rate_limits: { api_per_ip: 3, relay_per_token: 2, window: '1m' },
      providers: [{ name: 'mock', type: 'openai', base_url: `${mock.url}/v1`, models: ['gpt-4o-mini'] }],
    });
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
  });

  const chat = (key: string) =>
    request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });

  test('the admin API refuses an address over its limit with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof request>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await request(`${gateway.url}/api/status`);
      statuses.push(last.statusCode);
      await last.body.dump();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });

  test("a token over GLOBAL_RELAY_RATE_LIMIT gets 429 in OpenAI's format; another token is not affected", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await chat(CLIENT_KEY);
      statuses.push(res.statusCode);
      if (i === 2) expect(await res.body.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
      else await res.body.dump();
    }
    expect(statuses).toEqual([200, 200, 429]);
    const other = await chat('sk-second-key');
    expect(other.statusCode).toBe(200);
    await other.body.dump();
  });
});

test("one-api's GLOBAL_API_RATE_LIMIT and GLOBAL_RELAY_RATE_LIMIT set the limits; a bad value is reported by name", () => {
  const loaded = loadConfig({ file: undefined, env: { GLOBAL_API_RATE_LIMIT: '100', GLOBAL_RELAY_RATE_LIMIT: '50' } });
  expect(loaded.config.rate_limits).toMatchObject({ api_per_ip: 100, relay_per_token: 50, window: 180_000 });
  expect(() => loadConfig({ file: undefined, env: { GLOBAL_API_RATE_LIMIT: 'many' } })).toThrow(
    /GLOBAL_API_RATE_LIMIT/,
  );
});
