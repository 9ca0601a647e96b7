/**
 * `GET /metrics` after real requests through the gateway on the mock upstream: requests by route, model, channel and
 * status; latency and time-to-first-token histograms; tokens and cost; upstream calls, errors and retries by channel
 * and reason; limit and quota rejections; open streams; process metrics. Read as deltas of the exposition text.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIENT_KEY, primaryAndBackup, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

/** USD per 1M tokens. */
const PRICE = { input: 100, output: 200 };
const BROKE_KEY = 'sk-metrics-no-quota';
const SLOW_KEY = 'sk-metrics-one-rpm';
const CHAT = '/v1/chat/completions';

type Samples = Map<string, number>;

/** The exposition text as `name{labels in sorted order}` → value. */
function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`);
    samples.set(`${match[1]}{${labels.sort().join(',')}}`, Number(match[3]));
  }
  return samples;
}

function key(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return `${name}{${pairs.sort().join(',')}}`;
}

let mock: MockUpstream;
let gateway: RunningGateway;

async function scrape(): Promise<{ text: string; samples: Samples }> {
  const res = await request(`${gateway.url}/metrics`);
  expect(res.statusCode).toBe(200);
  const text = await res.body.text();
  return { text, samples: parse(text) };
}

/** Runs `action` and answers how much each series moved meanwhile. */
async function delta(action: () => Promise<void>): Promise<(name: string, labels: Record<string, string>) => number> {
  const before = (await scrape()).samples;
  await action();
  const after = (await scrape()).samples;
  return (name, labels) => (after.get(key(name, labels)) ?? 0) - (before.get(key(name, labels)) ?? 0);
}

function chat(apiKey: string, body: Record<string, unknown> = {}) {
  return request(`${gateway.url}${CHAT}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'count my tokens' }], ...body }),
  });
}

beforeAll(async () => {
  mock = await startMockUpstream({ keys: ['k-primary', 'k-backup'] });
  gateway = await startGateway({
    auth: { keys: [CLIENT_KEY, { key: BROKE_KEY, quota_usd: 0 }, { key: SLOW_KEY, rpm: 1 }] },
    routing: { strategy: 'priority' },
    providers: primaryAndBackup(mock.url),
    prices: { 'gpt-4o-mini': PRICE },
    models: {
      virtual: [{ name: 'duo', type: 'ensemble', members: ['gpt-4o-mini', 'gpt-4o-mini'], summarizer: 'gpt-4o-mini' }],
    },
  });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

describe('GET /metrics', () => {
  test('an answered chat counts its request, latency, tokens, cost and upstream call', async () => {
    let usage = { prompt_tokens: 0, completion_tokens: 0 };
    const moved = await delta(async () => {
      const res = await chat(CLIENT_KEY);
      expect(res.statusCode).toBe(200);
      usage = ((await res.body.json()) as { usage: typeof usage }).usage;
    });
    const labels = { route: CHAT, model: 'gpt-4o-mini', channel: 'primary' };
    expect(moved('switchyard_requests_total', { ...labels, status: '200' })).toBe(1);
    expect(moved('switchyard_request_duration_seconds_count', labels)).toBe(1);
    expect(moved('switchyard_request_duration_seconds_bucket', { ...labels, le: '300' })).toBe(1);
    expect(moved('switchyard_time_to_first_token_seconds_count', labels)).toBe(0);
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    const tokens = { model: 'gpt-4o-mini', channel: 'primary' };
    expect(moved('switchyard_tokens_total', { ...tokens, kind: 'prompt' })).toBe(usage.prompt_tokens);
    expect(moved('switchyard_tokens_total', { ...tokens, kind: 'completion' })).toBe(usage.completion_tokens);
    const usd = (usage.prompt_tokens * PRICE.input + usage.completion_tokens * PRICE.output) / 1_000_000;
    expect(moved('switchyard_cost_usd_total', tokens)).toBeCloseTo(usd, 10);
    expect(moved('switchyard_upstream_requests_total', { channel: 'primary' })).toBe(1);
    expect(moved('switchyard_upstream_requests_total', { channel: 'backup' })).toBe(0);
  });

  test('a stream is an open stream while it is written, and its time to first token is observed', async () => {
    mock.enqueue({ chunks: 4, chunkDelayMs: 150 });
    let during = -1;
    const moved = await delta(async () => {
      const stream = await gateway.openai().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'one two three four' }],
        stream: true,
      });
      let first = true;
      for await (const _chunk of stream) {
        if (first) during = (await scrape()).samples.get('switchyard_open_streams{}') ?? -1;
        first = false;
      }
    });
    expect(during).toBe(1);
    expect((await scrape()).samples.get('switchyard_open_streams{}')).toBe(0);
    const labels = { route: CHAT, model: 'gpt-4o-mini', channel: 'primary' };
    expect(moved('switchyard_time_to_first_token_seconds_count', labels)).toBe(1);
    expect(moved('switchyard_requests_total', { ...labels, status: '200' })).toBe(1);
    // The stream took at least its 3 gaps of 150 ms: observed at its end, not at its first byte.
    expect(moved('switchyard_request_duration_seconds_bucket', { ...labels, le: '0.25' })).toBe(0);
    expect(moved('switchyard_request_duration_seconds_count', labels)).toBe(1);
  });

  test('a 429 fails over: an upstream error and a retry of the first channel, the answer from the second', async () => {
    mock.enqueue({ status: 429, headers: { 'retry-after': '0' } }, { key: 'k-primary' });
    const moved = await delta(async () => {
      const res = await chat(CLIENT_KEY);
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    });
    expect(moved('switchyard_upstream_errors_total', { channel: 'primary', reason: 'status_429' })).toBe(1);
    expect(moved('switchyard_upstream_retries_total', { channel: 'primary', reason: 'status_429' })).toBe(1);
    expect(moved('switchyard_upstream_requests_total', { channel: 'primary' })).toBe(1);
    expect(moved('switchyard_upstream_requests_total', { channel: 'backup' })).toBe(1);
    const answered = { route: CHAT, model: 'gpt-4o-mini', channel: 'backup', status: '200' };
    expect(moved('switchyard_requests_total', answered)).toBe(1);
    expect(moved('switchyard_requests_total', { ...answered, channel: 'primary' })).toBe(0);
  });

  test('a stream cut by the upstream after its first bytes counts an upstream error of its channel', async () => {
    mock.enqueue({ chunks: 6, cutAfterChunks: 2 });
    const moved = await delta(async () => {
      const res = await chat(CLIENT_KEY, { stream: true });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toContain('error');
    });
    expect(moved('switchyard_upstream_errors_total', { channel: 'primary', reason: 'reset' })).toBe(1);
    expect(moved('switchyard_upstream_retries_total', { channel: 'primary', reason: 'reset' })).toBe(0);
    expect(
      moved('switchyard_requests_total', { route: CHAT, model: 'gpt-4o-mini', channel: 'primary', status: '502' }),
    ).toBe(1);
    expect((await scrape()).samples.get('switchyard_open_streams{}')).toBe(0);
  });

  test('a key without quota is refused: an insufficient_quota rejection, no upstream call', async () => {
    const moved = await delta(async () => {
      const res = await chat(BROKE_KEY);
      expect(res.statusCode).toBe(429);
      expect(await res.body.json()).toMatchObject({ error: { code: 'insufficient_quota' } });
    });
    expect(moved('switchyard_limit_rejections_total', { kind: 'insufficient_quota' })).toBe(1);
    expect(moved('switchyard_limit_rejections_total', { kind: 'rpm' })).toBe(0);
    const refused = { route: CHAT, model: 'gpt-4o-mini', channel: '', status: '429' };
    expect(moved('switchyard_requests_total', refused)).toBe(1);
    expect(moved('switchyard_upstream_requests_total', { channel: 'primary' })).toBe(0);
    expect(moved('switchyard_cost_usd_total', { model: 'gpt-4o-mini', channel: '' })).toBe(0);
  });

  test('a key over its rpm is refused: an rpm rejection', async () => {
    const moved = await delta(async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await chat(SLOW_KEY);
        statuses.push(res.statusCode);
        await res.body.dump();
      }
      expect(statuses).toEqual([200, 429]);
    });
    expect(moved('switchyard_limit_rejections_total', { kind: 'rpm' })).toBe(1);
    expect(moved('switchyard_limit_rejections_total', { kind: 'insufficient_quota' })).toBe(0);
    const labels = { route: CHAT, model: 'gpt-4o-mini', channel: '' };
    expect(moved('switchyard_requests_total', { ...labels, status: '429' })).toBe(1);
    expect(moved('switchyard_requests_total', { ...labels, channel: 'primary', status: '200' })).toBe(1);
  });

  test('a bad key and a model nothing serves are counted without letting client strings into the labels', async () => {
    const moved = await delta(async () => {
      const bad = await chat('sk-not-a-key');
      expect(bad.statusCode).toBe(401);
      await bad.body.dump();
      const unknown = await chat(CLIENT_KEY, { model: 'no-such-model-7f3a' });
      expect(unknown.statusCode).toBe(404);
      await unknown.body.dump();
    });
    expect(moved('switchyard_requests_total', { route: CHAT, model: '', channel: '', status: '401' })).toBe(1);
    expect(moved('switchyard_requests_total', { route: CHAT, model: '(unknown)', channel: '', status: '404' })).toBe(1);
    expect((await scrape()).text).not.toContain('no-such-model-7f3a');
  });

  test("a virtual model's calls count as upstream calls of their channel, with their tokens", async () => {
    let total = 0;
    const moved = await delta(async () => {
      const res = await chat(CLIENT_KEY, { model: 'duo' });
      expect(res.statusCode).toBe(200);
      total = ((await res.body.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens;
    });
    expect(moved('switchyard_upstream_requests_total', { channel: 'primary' })).toBe(3);
    expect(moved('switchyard_requests_total', { route: CHAT, model: 'duo', channel: '', status: '200' })).toBe(1);
    // The request's usage is its calls' together: counted once, by the channel that spent it.
    expect(moved('switchyard_tokens_total', { model: 'gpt-4o-mini', channel: 'primary', kind: 'prompt' })).toBe(total);
    expect(moved('switchyard_tokens_total', { model: 'duo', channel: '', kind: 'prompt' })).toBe(0);
  });

  test('process metrics: event-loop lag, heap, and the usage-log queue', async () => {
    const { samples } = await scrape();
    expect(samples.has('nodejs_eventloop_lag_seconds{}')).toBe(true);
    expect(samples.has('nodejs_eventloop_lag_p99_seconds{}')).toBe(true);
    expect(samples.has('process_resident_memory_bytes{}')).toBe(true);
    expect(samples.get('switchyard_usage_log_queue{}')).toBeGreaterThanOrEqual(0);
  });
});
