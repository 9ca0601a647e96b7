import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { startHttpProxy, startSocks5Proxy, type TestProxy } from './proxies.ts';

let mock: MockUpstream;
let httpProxy: TestProxy;
let socksProxy: TestProxy;
let gateway: RunningGateway;

beforeAll(async () => {
  mock = await startMockUpstream();
  httpProxy = await startHttpProxy();
  socksProxy = await startSocks5Proxy();
  const provider = { type: 'openai', base_url: `${mock.url}/v1`, keys: ['k'] };
  gateway = await startGateway({
    proxy: httpProxy.url,
    providers: [
      { ...provider, name: 'via-global', models: ['global-model'], model_map: { 'global-model': 'gpt-4o-mini' } },
      {
        ...provider,
        name: 'via-socks',
        models: ['socks-model'],
        model_map: { 'socks-model': 'gpt-4o-mini' },
        proxy: socksProxy.url,
      },
      {
        ...provider,
        name: 'direct',
        models: ['direct-model'],
        model_map: { 'direct-model': 'gpt-4o-mini' },
        proxy: false,
      },
    ],
  });
});

afterAll(async () => {
  await gateway.close();
  await Promise.all([httpProxy.close(), socksProxy.close(), mock.close()]);
});

const ask = (model: string) =>
  gateway.openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'via?' }] });
const upstreamHost = () => new URL(mock.url).host;

test('the global http proxy carries providers that set none', async () => {
  const res = await ask('global-model');
  expect(res.choices[0]?.message.content).toBe('echo: via?');
  expect(httpProxy.targets).toContain(upstreamHost());
  expect(socksProxy.targets).toHaveLength(0);
});

test("a provider's socks5 proxy overrides the global one", async () => {
  const before = httpProxy.targets.length;
  const res = await ask('socks-model');
  expect(res.choices[0]?.message.content).toBe('echo: via?');
  expect(socksProxy.targets).toContain(upstreamHost());
  expect(httpProxy.targets).toHaveLength(before);
});

test('proxy: false goes direct', async () => {
  const before = [httpProxy.targets.length, socksProxy.targets.length];
  await ask('direct-model');
  expect([httpProxy.targets.length, socksProxy.targets.length]).toEqual(before);
  expect(mock.requests.at(-1)?.model).toBe('gpt-4o-mini');
});
