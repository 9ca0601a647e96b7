import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, test } from 'vitest';
import { openStore } from '../src/store/db.ts';
import { startMockUpstream } from './mock-upstream.ts';

const BIN = new URL('../bin/switchyard.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('switchyard check', () => {
  test('prints every problem with its path and exits 1', () => {
    const config = file(
      'bad.yaml',
      [
        'providers:',
        '  - { name: a, type: openai, models: [x] }',
        '  - { name: b, type: nope }',
        'routing: { strategy: fastest }',
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, [BIN, 'check', '--config', config], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('providers[0].keys: required');
    expect(run.stderr).toContain('providers[1].type: unknown provider type "nope"');
    expect(run.stderr).toContain('routing.strategy:');
  });

  test('a good config passes with exit 0', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR:-default} syntax is under test
    const config = file('good.yaml', 'providers:\n  - { name: a, type: openai, keys: ["${K:-sk-x}"], models: [m] }\n');
    const run = spawnSync(process.execPath, [BIN, 'check', '--config', config], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('OK');
  });

  test('an unknown argument is a usage error', () => {
    const run = spawnSync(process.execPath, [BIN, 'serve', '--bogus'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown argument: --bogus');
  });
});

describe('switchyard serve', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  /** Starts `switchyard serve` on a free port; resolves with its URL once it logs that it listens. */
  async function serve(config: string): Promise<{ child: ChildProcess; url: string; log: () => string }> {
    const proc = spawn(process.execPath, [BIN, '--config', config, '--port', '0', '--host', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own data directory: the SQLite file and secret of each run stay out of the checkout.
      env: { ...process.env, SWITCHYARD_DATA_DIR: dirname(config), DATABASE_URL: '', SQL_DSN: '' },
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
    });
    const listening = () => /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1];
    await expect.poll(listening, { timeout: 10_000 }).toBeTruthy();
    return { child: proc, url: listening()!, log: () => out };
  }

  test('serves a simple-one-api config.json unchanged, then shuts down on SIGTERM', async () => {
    const mock = await startMockUpstream();
    const config = file(
      'config.json',
      JSON.stringify({
        server_port: ':9090',
        api_key: 'sk-soa',
        load_balancing: 'first',
        services: {
          openai: [
            { models: ['gpt-4o-mini'], enabled: true, credentials: { api_key: 'up' }, server_url: `${mock.url}/v1` },
          ],
        },
      }),
    );
    const served = await serve(config);
    child = served.child;
    const { url } = served;
    const res = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-soa', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'from soa' }] }),
    });
    expect(res.statusCode).toBe(200);
    expect(
      ((await res.body.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
    ).toBe('echo: from soa');
    served.child.kill('SIGTERM');
    const [code] = await once(served.child, 'exit');
    expect(code).toBe(0);
    expect(served.log()).toContain('"msg":"stopped"');
    const access = served
      .log()
      .split('\n')
      .filter((line) => line.includes('"msg":"request"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(access).toEqual([
      expect.objectContaining({
        level: 30,
        model: 'gpt-4o-mini',
        status: 200,
        client: 'key#1',
        prompt_tokens: 2,
        deployment: 'openai/key#1/gpt-4o-mini',
      }),
    ]);
    expect(served.log()).not.toContain('sk-soa');
    expect(served.log()).not.toContain('"up"');
    await mock.close();
  });

  test('SIGTERM right after the answers: every usage log is in the database when the process ends', async () => {
    const mock = await startMockUpstream();
    const config = file(
      'usage.yaml',
      `auth: { keys: [sk-usage] }\nproviders:\n  - { name: m, type: openai, base_url: "${mock.url}/v1", keys: [k], models: [gpt-4o-mini] }\n`,
    );
    const served = await serve(config);
    child = served.child;
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await request(`${served.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-usage', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `n${i}` }] }),
        });
        await res.body.dump();
        return res.headers['x-request-id'] as string;
      }),
    );
    served.child.kill('SIGTERM');
    const [code] = await once(served.child, 'exit');
    expect(code).toBe(0);
    const store = await openStore(`sqlite:${join(dirname(config), 'switchyard.db')}`);
    const logged = await store.db.selectFrom('usage_logs').select('request_id').execute();
    await store.close();
    const ids = new Set(logged.map((r) => r.request_id));
    expect(answers.filter((id) => !ids.has(id))).toEqual([]);
    await mock.close();
  });

  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s lets a stream in flight finish, refuses new connections, then exits 0',
    async (signal) => {
      const mock = await startMockUpstream();
      const config = file(
        'drain.yaml',
        `providers:\n  - { name: m, type: openai, base_url: "${mock.url}/v1", keys: [k], models: [gpt-4o-mini] }\n`,
      );
      const served = await serve(config);
      child = served.child;
      const { url } = served;
      mock.enqueue({ chunkDelayMs: 60 });
      const res = await request(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'a b c d e f g h' }],
          stream: true,
        }),
      });
      const text = res.body.text();
      await mock.until(() => mock.inFlight === 1);
      const exited = once(served.child, 'exit');
      served.child.kill(signal);
      await expect.poll(() => served.log().includes('shutting down')).toBe(true);
      await expect(request(`${url}/healthz`)).rejects.toThrow();
      expect(await text).toMatch(/"content":"h"[\s\S]*"finish_reason":"stop"[\s\S]*data: \[DONE\]\n\n$/);
      expect((await exited)[0]).toBe(0);
      await mock.close();
    },
  );
  /** A stream under way whose answer would take ~10 s; resolves with its text to come and its request id. */
  async function slowStream(url: string, path: string, body: object, headers: Record<string, string>) {
    const res = await request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ ...body, stream: true }),
    });
    expect(res.statusCode).toBe(200);
    return { text: res.body.text(), requestId: res.headers['x-request-id'] as string };
  }

  test('a stream still running at server.shutdown_timeout ends with an error event in its format, is billed, and the process exits 0', async () => {
    const mock = await startMockUpstream();
    const config = file(
      'deadline.yaml',
      [
        'server: { shutdown_timeout: 1s }',
        'auth: { keys: [sk-deadline] }',
        `providers:\n  - { name: m, type: openai, base_url: "${mock.url}/v1", keys: [k], models: [gpt-4o-mini] }`,
      ].join('\n'),
    );
    const served = await serve(config);
    child = served.child;
    const words = 'one two three four five six seven eight';
    mock.enqueue({ chunkDelayMs: 1_000 });
    mock.enqueue({ chunkDelayMs: 1_000 });
    const openai = await slowStream(
      served.url,
      '/v1/chat/completions',
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: words }] },
      { authorization: 'Bearer sk-deadline' },
    );
    const anthropic = await slowStream(
      served.url,
      '/v1/messages',
      { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: words }] },
      { 'x-api-key': 'sk-deadline', 'anthropic-version': '2023-06-01' },
    );
    await mock.until(() => mock.inFlight === 2);
    const exited = once(served.child, 'exit');
    const signalled = performance.now();
    served.child.kill('SIGTERM');

    // OpenAI's stream (passed through): the error chunk, then [DONE]. Anthropic's (converted): its `error` event.
    const openaiText = await openai.text;
    expect(openaiText).toMatch(/"content":"echo: "/);
    expect(openaiText).not.toMatch(/eight|"finish_reason":"stop"/);
    const lastOpenai = openaiText.trimEnd().split('\n\n').slice(-2);
    expect(lastOpenai[1]).toBe('data: [DONE]');
    expect(JSON.parse(lastOpenai[0]!.slice('data: '.length))).toEqual({
      error: expect.objectContaining({ code: 'shutting_down', message: expect.stringContaining('shutting down') }),
    });
    const anthropicText = await anthropic.text;
    expect(anthropicText).toMatch(/event: content_block_delta/);
    expect(anthropicText).not.toMatch(/eight|message_stop/);
    const lastAnthropic = anthropicText.trimEnd().split('\n\n').at(-1)!;
    expect(lastAnthropic.split('\n')[0]).toBe('event: error');
    expect(JSON.parse(lastAnthropic.split('\n')[1]!.slice('data: '.length))).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: expect.stringContaining('shutting down') },
    });
    const endedAfterMs = performance.now() - signalled;
    expect(endedAfterMs).toBeGreaterThan(900);
    // The deadline, not the streams' own ~10 s (the first cut stream builds the tokenizer that counts it: a second or two).
    expect(endedAfterMs).toBeLessThan(7_000);

    expect((await exited)[0]).toBe(0);
    expect(served.log()).toContain('shutdown deadline');
    const store = await openStore(`sqlite:${join(dirname(config), 'switchyard.db')}`);
    const logged = await store.db
      .selectFrom('usage_logs')
      .select(['request_id', 'status', 'completion_tokens', 'error'])
      .where('request_id', 'in', [openai.requestId, anthropic.requestId])
      .execute();
    await store.close();
    expect(logged).toHaveLength(2);
    for (const row of logged) {
      expect(row.status).toBe(503);
      expect(row.error).toContain('shutting down');
      expect(row.completion_tokens).toBeGreaterThan(0); // what was delivered before the deadline is billed
    }
    await mock.close();
  });

  test('a second SIGINT ends the streams at once instead of waiting for the deadline', async () => {
    const mock = await startMockUpstream();
    const config = file(
      'twice.yaml',
      `providers:\n  - { name: m, type: openai, base_url: "${mock.url}/v1", keys: [k], models: [gpt-4o-mini] }\n`,
    );
    const served = await serve(config);
    child = served.child;
    mock.enqueue({ chunkDelayMs: 1_000 });
    const stream = await slowStream(
      served.url,
      '/v1/chat/completions',
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one two three four five six seven eight' }] },
      {},
    );
    await mock.until(() => mock.inFlight === 1);
    const exited = once(served.child, 'exit');
    served.child.kill('SIGINT');
    await expect.poll(() => served.log().includes('shutting down')).toBe(true);
    const signalled = performance.now();
    served.child.kill('SIGINT');
    expect(await stream.text).toMatch(/"code":"shutting_down"[\s\S]*data: \[DONE\]\n\n$/);
    expect(performance.now() - signalled).toBeLessThan(6_000); // not the default 30 s deadline, nor the ~10 s stream
    expect((await exited)[0]).toBe(0);
    await mock.close();
  });
});
