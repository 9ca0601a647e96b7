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

  test('SIGTERM lets a stream in flight finish, refuses new connections, then exits 0', async () => {
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
    served.child.kill('SIGTERM');
    await expect.poll(() => served.log().includes('shutting down')).toBe(true);
    await expect(request(`${url}/healthz`)).rejects.toThrow();
    expect(await text).toMatch(/"content":"h"[\s\S]*"finish_reason":"stop"[\s\S]*data: \[DONE\]\n\n$/);
    expect((await exited)[0]).toBe(0);
    await mock.close();
  });
});
