import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROVIDERS } from '../src/providers/index.ts';
import { AdminClient } from './admin-client.ts';
import { type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { startHttpProxy, type TestProxy } from './proxies.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './stores.ts';

const KEY = 'sk-upstream-listing-0001';
const CONFIG_KEY = 'sk-config-listing-0002';
/** More models than one page of Anthropic's or Gemini's list holds (1000). */
const MANY = Array.from({ length: 1005 }, (_, i) => `model-${String(i).padStart(4, '0')}`);

interface ProviderType {
  type: string;
  default_base_url: string | null;
  requires_key: boolean;
  key_format: string;
  settings: string[];
  lists_models: boolean;
}
type ErrorBody = { error: { message: string; code: string | null; param: string | null } };

describe.each(ENGINES)('provider types and upstream model lists on %s', (engine) => {
  let mock: MockUpstream;
  let many: MockUpstream;
  let proxy: TestProxy;
  let database: TestDatabase;
  let gateway: RunningGateway;
  let root: AdminClient;

  beforeAll(async () => {
    mock = await startMockUpstream({
      keys: [KEY, CONFIG_KEY],
      models: ['gpt-b', 'gpt-a', 'text-embedding-3-small', 'gpt-b'],
    });
    many = await startMockUpstream({
      keys: [KEY],
      models: [...MANY, 'gemini-embedding-001', 'imagen-3.0-generate-002'],
    });
    proxy = await startHttpProxy();
    database = await createTestDatabase(engine);
    gateway = await startGateway(
      {
        providers: [
          { name: 'from-config', type: 'openai', base_url: `${mock.url}/v1`, keys: [CONFIG_KEY], models: ['gpt-a'] },
        ],
      },
      { databaseUrl: database.url },
    );
    root = await AdminClient.root(gateway.url);
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([mock.close(), many.close(), proxy.close()]);
    await database.drop();
  });

  const list = (body: Record<string, unknown>) =>
    root.call<{ models: string[] } & ErrorBody>('POST', '/api/channels/upstream-models', body);

  test('every provider type the gateway knows is listed with its base URL, key format, settings and listing', async () => {
    const answer = await root.call<ProviderType[]>('GET', '/api/providers');
    expect(answer.status).toBe(200);
    const byType = new Map(answer.body.map((p) => [p.type, p]));
    expect([...byType.keys()].sort()).toEqual(Object.keys(PROVIDERS).sort());
    for (const p of answer.body) expect(p.key_format.length).toBeGreaterThan(0);
    expect(byType.get('bedrock')).toMatchObject({ settings: ['region'], lists_models: false });
    expect(byType.get('bedrock')!.key_format).toContain('ACCESS_KEY_ID:SECRET_ACCESS_KEY');
    expect(byType.get('azure')).toMatchObject({ default_base_url: null, settings: ['api_version'] });
    expect(byType.get('vertex')).toMatchObject({ settings: ['project', 'region'], requires_key: true });
    expect(byType.get('cloudflare')).toMatchObject({ default_base_url: null, settings: ['account_id'] });
    expect(byType.get('ollama')).toMatchObject({
      default_base_url: 'http://localhost:11434',
      requires_key: false,
      lists_models: true,
    });
    expect(byType.get('groq')).toMatchObject({
      default_base_url: 'https://api.groq.com/openai/v1',
      lists_models: true,
    });
    expect(byType.get('hunyuan')!.key_format).toBe('SECRET_ID:SECRET_KEY');
    const user = await root.newUser(`plain-${engine}`);
    expect((await user.call('GET', '/api/providers')).status).toBe(403);
    expect((await user.call('POST', '/api/channels/upstream-models', { type: 'openai' })).status).toBe(403);
  });

  test('OpenAI and its presets list GET {base}/models with the key as a bearer: sorted, each once', async () => {
    const openai = await list({ type: 'openai', base_url: `${mock.url}/v1`, key: KEY });
    expect(openai.status).toBe(200);
    expect(openai.body.models).toEqual(['gpt-a', 'gpt-b', 'text-embedding-3-small']);
    expect(mock.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models', key: KEY });
    const groq = await list({ type: 'groq', base_url: `${mock.url}/v1`, key: KEY });
    expect(groq.body.models).toEqual(['gpt-a', 'gpt-b', 'text-embedding-3-small']);
  });

  test('Ollama lists the models it has pulled (/api/tags)', async () => {
    const ollama = await list({ type: 'ollama', base_url: mock.url, key: KEY });
    expect(ollama.body.models).toEqual(['gpt-a', 'gpt-b', 'text-embedding-3-small']);
    expect(mock.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/tags' });
  });

  test('Anthropic’s list is followed page by page (has_more, after_id) with x-api-key and anthropic-version', async () => {
    many.reset();
    const anthropic = await list({ type: 'anthropic', base_url: many.url, key: KEY });
    expect(anthropic.status).toBe(200);
    expect(anthropic.body.models).toEqual([...MANY, 'gemini-embedding-001', 'imagen-3.0-generate-002'].sort());
    expect(many.requests.map((r) => [r.dialect, r.path, r.query.after_id])).toEqual([
      ['anthropic', '/v1/models', undefined],
      ['anthropic', '/v1/models', 'model-0999'],
    ]);
    expect(many.requests[0]!.headers['x-api-key']).toBe(KEY);
  });

  test('Gemini’s list is followed by nextPageToken: models that chat or embed, without the models/ prefix', async () => {
    many.reset();
    const gemini = await list({ type: 'gemini', base_url: many.url, key: KEY });
    expect(gemini.status).toBe(200);
    expect(gemini.body.models).toEqual([...MANY, 'gemini-embedding-001'].sort());
    expect(many.requests.map((r) => [r.path, r.query.pageToken === undefined])).toEqual([
      ['/v1beta/models', true],
      ['/v1beta/models', false],
    ]);
    expect(many.requests[0]!.headers['x-goog-api-key']).toBe(KEY);
  });

  test('without a key, a stored channel’s first key and settings are used; sending it elsewhere is refused', async () => {
    const made = await root.call<{ id: string }>('POST', '/api/channels', {
      name: `stored-${engine}`,
      type: 'openai',
      base_url: `${mock.url}/v1`,
      keys: [KEY, 'sk-second-key-never-used'],
      models: ['gpt-a'],
    });
    mock.reset();
    const stored = await list({ type: 'openai', channel_id: made.body.id, models: ['edited', 'form'] });
    expect(stored.body.models).toEqual(['gpt-a', 'gpt-b', 'text-embedding-3-small']);
    expect(mock.requests.map((r) => r.key)).toEqual([KEY]);
    const configured = await list({ type: 'openai', channel_id: 'config:from-config' });
    expect(configured.body.models).toEqual(['gpt-a', 'gpt-b', 'text-embedding-3-small']);
    expect(mock.requests.at(-1)?.key).toBe(CONFIG_KEY);

    const elsewhere = await list({
      type: 'openai',
      channel_id: 'config:from-config',
      base_url: 'http://127.0.0.1:9/v1',
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.param).toBe('base_url');
    const otherType = await list({ type: 'groq', channel_id: made.body.id });
    expect(otherType.status).toBe(400);
    expect(otherType.body.error.param).toBe('type');
    expect((await list({ type: 'openai', channel_id: '999999' })).status).toBe(404);
    expect(mock.requests).toHaveLength(2);
  });

  test('an upstream refusal is a 502 with upstream’s message, without the key', async () => {
    const wrong = 'sk-wrong-listing-key-000042';
    mock.enqueue({ status: 401, body: { error: { message: `Incorrect API key provided: ${wrong}.` } } });
    const refused = await list({ type: 'openai', base_url: `${mock.url}/v1`, key: wrong });
    expect(refused.status).toBe(502);
    expect(refused.body.error.message).toMatch(/answered 401: Incorrect API key provided/);
    expect(refused.body.error.message).not.toContain(wrong);
    const unreachable = await list({ type: 'openai', base_url: 'http://127.0.0.1:9/v1', key: KEY });
    expect(unreachable.status).toBe(502);
  });

  test('a type that cannot list its models is a 400 model_list_unsupported', async () => {
    for (const type of ['bedrock', 'cloudflare', 'coze']) {
      const answer = await list({ type, key: KEY, account_id: 'acct' });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'model_list_unsupported', param: 'type' });
    }
    expect((await list({ type: 'no-such-type', key: KEY })).body.error.param).toBe('type');
  });

  test('the listing goes through the channel’s proxy', async () => {
    const viaProxy = await list({ type: 'openai', base_url: `${mock.url}/v1`, key: KEY, proxy: proxy.url });
    expect(viaProxy.body.models).toEqual(['gpt-a', 'gpt-b', 'text-embedding-3-small']);
    expect(proxy.targets).toContain(new URL(mock.url).host);
  });
});
