/**
 * Images given by URL to providers that take only bytes (Ollama; Gemini for a URL without an image extension): the
 * gateway fetches them, once per request, within image_fetch's size and time, and refuses private addresses unless
 * told otherwise; every refusal is a 400 in the client's format that names the URL and why.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { ConfigInput } from '../src/config/schema.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const MAX_SIZE = 4096;

/** The image server a client's URLs point at, with what it was asked. */
interface ImageServer {
  origin: string;
  hits: string[];
  /** Requests whose connection closed before they were answered (`/slow`). */
  abandoned: number;
  server: Server;
}

async function startImageServer(): Promise<ImageServer> {
  const state = { hits: [] as string[], abandoned: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    state.hits.push(path);
    if (path === '/cat.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    else if (path === '/picture') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PNG);
    else if (path === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
    else if (path === '/huge') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(MAX_SIZE * 4));
    else if (path === '/huge-chunked') {
      res.writeHead(200, { 'content-type': 'image/png' });
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(MAX_SIZE));
      res.end();
    } else if (path === '/moved') res.writeHead(302, { location: '/cat.png' }).end();
    else if (path === '/loop') res.writeHead(302, { location: '/loop' }).end();
    else if (path === '/slow') req.on('close', () => res.writableEnded || state.abandoned++);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    get hits() {
      return state.hits;
    },
    get abandoned() {
      return state.abandoned;
    },
  };
}

const headers = { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' };

function providers(upstream: string): ConfigInput['providers'] {
  return [
    { name: 'local', type: 'ollama', base_url: upstream, models: ['llava'] },
    { name: 'google', type: 'gemini', base_url: upstream, keys: ['g-key'], models: ['gemini-2.5-flash'] },
  ];
}

async function chat(
  gateway: RunningGateway,
  model: string,
  url: string,
  leaving?: { signal: AbortSignal; dispatcher: Agent },
) {
  const res = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers,
    ...leaving,
    body: JSON.stringify({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url } },
          ],
        },
      ],
    }),
  });
  return {
    status: res.statusCode,
    body: (await res.body.json()) as { error: { message: string; type: string; code?: string } },
  };
}

let images: ImageServer;
let mock: MockUpstream;

beforeAll(async () => {
  images = await startImageServer();
  mock = await startMockUpstream();
});
afterAll(async () => {
  images.server.close();
  await mock.close();
});
beforeEach(() => {
  images.hits.length = 0;
  mock.reset();
});

describe('with private addresses allowed (an image server on the operator’s network)', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway({
      providers: [
        ...providers(mock.url)!,
        { name: 'spare', type: 'ollama', base_url: mock.url, keys: ['spare-key'], models: ['llava'], priority: 1 },
      ],
      routing: { strategy: 'priority' },
      image_fetch: { allow_private: true, max_size: MAX_SIZE, timeout: '300ms' },
    });
  });
  afterAll(() => gateway.close());

  test('Ollama gets the image’s bytes as base64', async () => {
    const answer = await chat(gateway, 'llava', `${images.origin}/cat.png`);
    expect(answer.status).toBe(200);
    expect(images.hits).toEqual(['/cat.png']);
    const body = mock.requests[0]!.body as { messages: { content: string; images?: string[] }[] };
    expect(body.messages[0]).toMatchObject({ content: 'what is this?', images: [PNG.toString('base64')] });
  });

  test('Gemini gets a URL without an image extension inlined, with the type read from the bytes', async () => {
    const answer = await chat(gateway, 'gemini-2.5-flash', `${images.origin}/picture`);
    expect(answer.status).toBe(200);
    const body = mock.requests[0]!.body as { contents: { parts: Record<string, unknown>[] }[] };
    expect(body.contents[0]!.parts).toContainEqual({
      inlineData: { mimeType: 'image/png', data: PNG.toString('base64') },
    });
  });

  test('Gemini gets a URL with an image extension as fileData, not fetched', async () => {
    const url = `${images.origin}/cat.png`;
    expect((await chat(gateway, 'gemini-2.5-flash', url)).status).toBe(200);
    expect(images.hits).toEqual([]);
    const body = mock.requests[0]!.body as { contents: { parts: Record<string, unknown>[] }[] };
    expect(body.contents[0]!.parts).toContainEqual({ fileData: { mimeType: 'image/png', fileUri: url } });
  });

  test('a redirect is followed', async () => {
    expect((await chat(gateway, 'llava', `${images.origin}/moved`)).status).toBe(200);
    expect(images.hits).toEqual(['/moved', '/cat.png']);
  });

  test('the image is fetched once when the request fails over to another deployment', async () => {
    mock.enqueue({ status: 500 }, { path: '/api/chat' });
    const answer = await chat(gateway, 'llava', `${images.origin}/cat.png`);
    expect(answer.status).toBe(200);
    expect(mock.requests).toHaveLength(2);
    expect(images.hits).toEqual(['/cat.png']);
  });

  test.each([
    ['/page', 'it is not an image (text/html)'],
    ['/missing.png', 'the server answered 404'],
    ['/huge', `it is larger than ${MAX_SIZE} bytes (image_fetch.max_size)`],
    ['/huge-chunked', `it is larger than ${MAX_SIZE} bytes (image_fetch.max_size)`],
    ['/loop', 'more than 5 redirects'],
    ['/slow', 'no answer within 300 ms'],
  ])('%s is refused with a 400 that says why, and nothing goes upstream', async (path, why) => {
    const answer = await chat(gateway, 'llava', `${images.origin}${path}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_image_url',
      param: 'messages',
      message: `The image at ${images.origin}${path} could not be fetched: ${why}.`,
    });
    expect(mock.requests).toHaveLength(0);
  });

  test('a host name that does not resolve is a 400', async () => {
    const answer = await chat(gateway, 'llava', 'http://image-host.invalid/cat.png');
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('the host name does not resolve');
  });

  test('an image URL that does not parse is a 400', async () => {
    const answer = await chat(gateway, 'llava', 'http://[::1/cat.png');
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe('An image URL is neither a data: URL nor a valid URL.');
  });

  test('an Anthropic client gets the refusal as an Anthropic error', async () => {
    const res = await request(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': CLIENT_KEY, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'llava',
        max_tokens: 100,
        messages: [
          { role: 'user', content: [{ type: 'image', source: { type: 'url', url: `${images.origin}/page` } }] },
        ],
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('it is not an image') },
    });
  });

  test('a client that leaves while the image is fetched ends the fetch', async () => {
    const abandonedBefore = images.abandoned;
    const leaving = new AbortController();
    // A client of its own: undici keeps a connection of an aborted request that would hold up the gateway's close.
    const dispatcher = new Agent();
    const asked = chat(gateway, 'llava', `${images.origin}/slow`, { signal: leaving.signal, dispatcher });
    while (!images.hits.includes('/slow')) await sleep(5);
    leaving.abort();
    await asked.catch(() => undefined);
    await dispatcher.destroy();
    for (let i = 0; i < 40 && images.abandoned === abandonedBefore; i++) await sleep(5);
    expect(images.abandoned).toBe(abandonedBefore + 1);
    expect(mock.requests).toHaveLength(0);
  });
});

describe('by default', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway({ providers: providers(mock.url) });
  });
  afterAll(() => gateway.close());

  test.each([
    ['127.0.0.1', 'it is on a private address'],
    ['[::ffff:127.0.0.1]', 'it is on a private address'],
    ['localhost', 'localhost resolves to a private address'],
  ])('an image on %s is refused without being fetched', async (host, why) => {
    const { port } = images.server.address() as AddressInfo;
    const answer = await chat(gateway, 'llava', `http://${host}:${port}/cat.png`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain(why);
    expect(images.hits).toEqual([]);
    expect(mock.requests).toHaveLength(0);
  });
});

describe('with image_fetch turned off', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway({ providers: providers(mock.url), image_fetch: { enabled: false } });
  });
  afterAll(() => gateway.close());

  test('an image URL for a provider that needs bytes is a 400 that says to send a data: URL', async () => {
    const answer = await chat(gateway, 'llava', `${images.origin}/cat.png`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('image_fetch.enabled');
    expect(images.hits).toEqual([]);
  });

  test('a data: URL still goes through', async () => {
    const answer = await chat(gateway, 'llava', `data:image/png;base64,${PNG.toString('base64')}`);
    expect(answer.status).toBe(200);
  });
});
