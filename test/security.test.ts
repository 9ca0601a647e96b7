/** The security review's checks (docs/security.md): size and time limits, browsers and other sites, secrets. */
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AdminClient } from './admin-client.ts';
import { CLIENT_KEY, capturingLogger, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const relayHeaders = { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' };

/** Sends raw bytes on a new connection; resolves with everything the gateway wrote before it closed the connection. */
function rawExchange(url: string, chunks: string[], gapMs = 0): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (data) => {
      answer += data.toString('latin1');
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(answer) : reject(err)));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

/** The status line's code and the JSON body of a raw HTTP answer. */
function parsed(raw: string): { status: number; body: { error: { message: string; code: string | null } } } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) };
}

let mock: MockUpstream;
let gateway: RunningGateway;
const logged = capturingLogger();
/** A channel key no pattern recognises as one (Azure's are like it): only the gateway's own list can mask it. */
const CHANNEL_KEY = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway(
    {
      server: { header_limit: '8kb', request_timeout: '1s', cors_origins: ['https://chat.example.com'] },
      providers: [
        { name: 'm', type: 'openai', base_url: `${mock.url}/v1`, keys: [CHANNEL_KEY], models: ['gpt-4o-mini'] },
      ],
    },
    { log: logged.log },
  );
});
afterAll(async () => {
  await gateway.close();
  await mock.close();
});

describe('size and time limits', () => {
  test('headers over server.header_limit get 431 in the error format, and the gateway serves the next request', async () => {
    const big = 'x'.repeat(9 * 1024);
    const raw = await rawExchange(gateway.url, [
      `POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${CLIENT_KEY}\r\nX-Big: ${big}\r\n\r\n`,
    ]);
    const { status, body } = parsed(raw);
    expect(status).toBe(431);
    expect(body.error).toMatchObject({ code: 'request_header_fields_too_large', message: expect.any(String) });
    const next = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...relayHeaders, 'x-small': 'x'.repeat(6 * 1024) },
      body: chatBody,
    });
    expect(next.statusCode).toBe(200);
    await next.body.dump();
  });

  test('a URL longer than the header limit gets 431 too', async () => {
    const raw = await rawExchange(gateway.url, [
      `GET /v1/models?pad=${'a'.repeat(10 * 1024)} HTTP/1.1\r\nHost: gw\r\n\r\n`,
    ]);
    expect(parsed(raw).status).toBe(431);
  });

  test('the default header limit is 32 KiB: 20 KiB of headers pass (Node alone stops at 16), 40 KiB do not', async () => {
    const defaults = await startGateway({
      providers: [{ name: 'm', type: 'openai', base_url: `${mock.url}/v1`, keys: ['k'], models: ['gpt-4o-mini'] }],
    });
    try {
      const headers = (kib: number) => ({ ...relayHeaders, 'x-pad': 'p'.repeat(kib * 1024) });
      const passes = await request(`${defaults.url}/v1/chat/completions`, {
        method: 'POST',
        headers: headers(20),
        body: chatBody,
      });
      expect(passes.statusCode).toBe(200);
      await passes.body.dump();
      const raw = await rawExchange(defaults.url, [
        `GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Pad: ${'p'.repeat(40 * 1024)}\r\n\r\n`,
      ]);
      expect(parsed(raw).status).toBe(431);
    } finally {
      await defaults.close();
    }
  });

  test('a client trickling its body gets 408 once server.request_timeout is over, and its socket is closed', async () => {
    const started = performance.now();
    const raw = await rawExchange(
      gateway.url,
      [
        `POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${CLIENT_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
        ...Array.from({ length: 40 }, () => ' '),
      ],
      100,
    );
    expect(parsed(raw)).toMatchObject({ status: 408, body: { error: { code: 'request_timeout' } } });
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  test('a 1 MB body of nested brackets is a 400 in the route’s format, not a crash', async () => {
    const depth = 512 * 1024;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const nestedTools = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}]}`;
    for (const [path, body, headers] of [
      ['/v1/chat/completions', deep, relayHeaders],
      ['/v1/chat/completions', nestedTools, relayHeaders],
      ['/v1/messages', deep, { 'x-api-key': CLIENT_KEY, 'content-type': 'application/json' }],
      ['/api/auth/login', deep, { 'content-type': 'application/json' }],
    ] as const) {
      const res = await request(`${gateway.url}${path}`, { method: 'POST', headers, body });
      const answer = (await res.body.json()) as { type?: string; error: { message: string } };
      expect(res.statusCode, path).toBe(400);
      expect(answer.error.message).toMatch(/deeper than/);
      if (path === '/v1/messages') expect(answer.type).toBe('error');
    }
    expect((await request(`${gateway.url}/healthz`)).statusCode).toBe(200);
  });
});

describe('prototype pollution', () => {
  test('__proto__ and constructor keys in bodies change no object’s prototype', async () => {
    // Written as JSON text: an object literal's `__proto__` would not be a key of it.
    const poison = '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}';
    const poisoned = (body: object) => `{${poison},${JSON.stringify(body).slice(1)}`;
    const root = await AdminClient.root(gateway.url);
    const chat = JSON.parse(chatBody) as Record<string, unknown>;
    const anthropicHeaders = { 'x-api-key': CLIENT_KEY, 'content-type': 'application/json' };
    for (const [path, body, headers] of [
      ['/v1/chat/completions', poisoned({ ...chat, stream: true }), relayHeaders],
      ['/v1/messages', poisoned({ ...chat, max_tokens: 10 }), anthropicHeaders],
      ['/api/tokens', poisoned({ name: 'p' }), { cookie: root.cookie!, 'content-type': 'application/json' }],
    ] as const) {
      const res = await request(`${gateway.url}${path}`, { method: 'POST', headers, body });
      expect(res.statusCode, path).toBeLessThan(500);
      await res.body.dump();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({}) === Object.prototype).toBe(true);
  });
});

describe('browsers and other sites', () => {
  const origin = 'https://chat.example.com';
  const preflight = (path: string, from = origin) =>
    request(`${gateway.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin: from,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  test('the admin API sends no CORS headers: not to a preflight, not to a cross-origin read, whatever cors_origins says', async () => {
    for (const from of [origin, 'https://evil.example']) {
      const pre = await preflight('/api/auth/login', from);
      await pre.body.dump();
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
      const read = await request(`${gateway.url}/api/status`, { headers: { origin: from } });
      expect(read.statusCode).toBe(200);
      await read.body.dump();
      expect(read.headers['access-control-allow-origin']).toBeUndefined();
    }
    const defaults = await startGateway({});
    try {
      const pre = await request(`${defaults.url}/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      await pre.body.dump();
      expect(pre.headers['access-control-allow-origin']).toBeUndefined(); // the relay too, unless configured
    } finally {
      await defaults.close();
    }
  });

  test('with server.cors_origins the relay answers that origin (preflight, answer and stream), and no other', async () => {
    const pre = await preflight('/v1/chat/completions');
    await pre.body.dump();
    expect(pre.statusCode).toBe(204);
    expect(pre.headers).toMatchObject({
      'access-control-allow-origin': origin,
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': expect.stringContaining('POST'),
      vary: 'Origin',
    });
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    for (const stream of [false, true]) {
      const res = await request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...relayHeaders, origin },
        body: JSON.stringify({ ...JSON.parse(chatBody), stream }),
      });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-expose-headers']).toContain('x-request-id');
    }
    const other = await preflight('/v1/chat/completions', 'https://evil.example');
    await other.body.dump();
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('cross-site form posts to the admin API are refused with 415, session cookie or not', async () => {
    const root = await AdminClient.root(gateway.url);
    const before = await root.call<{ total: number }>('GET', '/api/tokens');
    const forms: [type: string, body: string][] = [
      ['text/plain', '{"name":"csrf"}'],
      ['application/x-www-form-urlencoded', 'name=csrf'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\ncsrf\r\n--x--\r\n',
      ],
      ['text/plain; charset=application/json', '{"name":"csrf"}'],
    ];
    for (const [type, body] of forms) {
      for (const path of ['/api/tokens', '/api/auth/login']) {
        const res = await request(`${gateway.url}${path}`, {
          method: 'POST',
          headers: { cookie: root.cookie!, 'content-type': type, origin: 'https://evil.example' },
          body,
        });
        expect(res.statusCode, `${type} to ${path}`).toBe(415);
        expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
      }
    }
    expect((await root.call<{ total: number }>('GET', '/api/tokens')).body.total).toBe(before.body.total);
  });

  test('a state-changing admin request made by another site’s page (Sec-Fetch-Site) is refused with 403', async () => {
    const root = await AdminClient.root(gateway.url);
    const post = (site: string) =>
      request(`${gateway.url}/api/auth/access-token`, {
        method: 'POST',
        headers: { cookie: root.cookie!, 'sec-fetch-site': site },
      });
    for (const site of ['same-site', 'cross-site']) {
      const res = await post(site);
      expect(res.statusCode, site).toBe(403);
      expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe('cross_site_request');
    }
    const own = await post('same-origin');
    expect(own.statusCode).toBe(200);
    await own.body.dump();
    // Reads stay open: another site cannot see the answer anyway (no CORS), and links to the API keep working.
    const read = await request(`${gateway.url}/api/auth/self`, {
      headers: { cookie: root.cookie!, 'sec-fetch-site': 'cross-site' },
    });
    expect(read.statusCode).toBe(200);
    await read.body.dump();
  });

  test('the web UI’s pages may not be framed and carry a content security policy', async () => {
    for (const path of ['/', '/channels']) {
      const res = await request(`${gateway.url}${path}`, { headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('URLs clients send', () => {
  test('image URLs are forwarded to providers that take URLs, not fetched by the gateway; one that does not parse is a 400', async () => {
    let fetched = 0;
    const canary = createServer((_req, res) => {
      fetched++;
      res.end();
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    const image = `http://127.0.0.1:${(canary.address() as AddressInfo).port}/internal/cat.png`;
    const upstream = await startMockUpstream();
    const urls = await startGateway({
      providers: [
        { name: 'o', type: 'openai', base_url: `${upstream.url}/v1`, keys: ['k'], models: ['gpt-4o-mini'] },
        { name: 'g', type: 'gemini', base_url: upstream.url, keys: ['k'], models: ['gemini-2.5-flash'] },
        { name: 'a', type: 'anthropic', base_url: upstream.url, keys: ['k'], models: ['claude-sonnet-4-6'] },
      ],
    });
    try {
      const ask = async (model: string, url: string) => {
        const res = await request(`${urls.url}/v1/chat/completions`, {
          method: 'POST',
          headers: relayHeaders,
          body: JSON.stringify({
            model,
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'image_url', image_url: { url } },
                  { type: 'text', text: 'hi' },
                ],
              },
            ],
          }),
        });
        return { status: res.statusCode, body: await res.body.text() };
      };
      for (const model of ['gpt-4o-mini', 'gemini-2.5-flash', 'claude-sonnet-4-6']) {
        expect((await ask(model, image)).status, model).toBe(200);
      }
      expect(JSON.stringify(upstream.requests.map((r) => r.body))).toContain(image);
      expect(fetched).toBe(0);
      for (const bad of ['not a url', 'http://[::1']) {
        const answer = await ask('gemini-2.5-flash', bad);
        expect(answer.status, bad).toBe(400);
        expect(answer.body).toContain('nor a valid URL');
      }
    } finally {
      await urls.close();
      await upstream.close();
      canary.close();
    }
  });
});

describe('secrets', () => {
  test('an upstream error that quotes the channel’s key reaches neither the client nor the log with it', async () => {
    mock.enqueue({ status: 400, body: { error: { message: `Key ${CHANNEL_KEY} is not valid for this resource` } } });
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: relayHeaders,
      body: chatBody,
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(400);
    expect(text).toContain('is not valid for this resource');
    expect(text).not.toContain(CHANNEL_KEY);
    await expect.poll(() => logged.lines.some((l) => String(l.error ?? '').includes('not valid'))).toBe(true);
    expect(JSON.stringify(logged.lines)).not.toContain(CHANNEL_KEY);
  });
});
