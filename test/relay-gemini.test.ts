/**
 * Gemini both ways, end to end: the @google/genai SDK as a client of the gateway (served by an OpenAI upstream), and
 * the openai SDK reaching the Gemini API and Vertex AI through the gateway (mock upstreams in Google's dialects).
 */
import { generateKeyPairSync } from 'node:crypto';
import { type GenerateContentResponse, GoogleGenAI, Type } from '@google/genai';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { revokeAccessTokens, trustServiceAccount } from './mock-upstream/gemini.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let openaiMock: MockUpstream;
let googleMock: MockUpstream;
let gateway: RunningGateway;

const SERVICE_ACCOUNT_EMAIL = 'switchyard-test@mock-project.iam.gserviceaccount.com';

beforeAll(async () => {
  openaiMock = await startMockUpstream({ keys: ['sk-up'] });
  googleMock = await startMockUpstream({ keys: ['gm-key'] });
  // A throwaway service account: the mock's token endpoint checks JWTs with its public key.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  trustServiceAccount(SERVICE_ACCOUNT_EMAIL, publicKey);
  const serviceAccount = JSON.stringify({
    type: 'service_account',
    project_id: 'mock-project',
    private_key_id: 'key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: SERVICE_ACCOUNT_EMAIL,
    token_uri: `${googleMock.url}/token`,
  });
  gateway = await startGateway({
    providers: [
      { name: 'oa', type: 'openai', base_url: `${openaiMock.url}/v1`, keys: ['sk-up'], models: ['gpt-4o-mini'] },
      {
        name: 'oa-team',
        type: 'openai',
        base_url: `${openaiMock.url}/v1`,
        keys: ['sk-up'],
        model_map: { 'team/gpt:latest': 'gpt-4o-mini' },
      },
      {
        name: 'gm',
        type: 'gemini',
        base_url: googleMock.url,
        keys: ['gm-key'],
        models: ['gemini-2.5-flash'],
        embedding_models: ['gemini-embedding-001'],
      },
      { name: 'gm-bad', type: 'gemini', base_url: googleMock.url, keys: ['wrong-key'], models: ['gemini-bad-key'] },
      {
        name: 'vx',
        type: 'vertex',
        base_url: googleMock.url,
        keys: [serviceAccount],
        region: 'europe-west4',
        models: ['gemini-2.5-pro'],
        embedding_models: ['text-embedding-005'],
      },
    ],
  });
});

afterAll(async () => {
  await gateway.close();
  await openaiMock.close();
  await googleMock.close();
});

beforeEach(() => {
  openaiMock.reset();
  googleMock.reset();
});

const genai = (apiKey = CLIENT_KEY): GoogleGenAI => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: gateway.url } });

const weatherTool = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'The weather of a city',
      parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
    },
  ],
};

describe('@google/genai client -> gateway -> OpenAI upstream', () => {
  test('generateContent answers with text, usage and the model, from an OpenAI-format call', async () => {
    const res = await genai().models.generateContent({
      model: 'gpt-4o-mini',
      contents: 'hello world',
      config: { systemInstruction: 'Be brief.', maxOutputTokens: 50, temperature: 0.3 },
    });
    expect(res.text).toBe('echo: hello world');
    expect(res.candidates?.[0]?.finishReason).toBe('STOP');
    expect(res.usageMetadata).toMatchObject({ promptTokenCount: 4, candidatesTokenCount: 3, totalTokenCount: 7 });
    expect(res.modelVersion).toBe('gpt-4o-mini');
    expect(openaiMock.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      max_tokens: 50,
      temperature: 0.3,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello world' },
      ],
    });
  });

  test('generateContentStream streams the text and ends with the finish reason and usage', async () => {
    const stream = await genai().models.generateContentStream({ model: 'gpt-4o-mini', contents: 'one two three' });
    const chunks: GenerateContentResponse[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.text ?? '').join('')).toBe('echo: one two three');
    expect(chunks.length).toBeGreaterThan(2);
    const last = chunks.at(-1)!;
    expect(last.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last.usageMetadata?.totalTokenCount).toBe(7);
  });

  test('a function call comes back, and its functionResponse reaches upstream as the tool result of that call', async () => {
    const ai = genai();
    const ask = { role: 'user', parts: [{ text: 'call get_weather {"city":"Paris"}' }] };
    const first = await ai.models.generateContent({
      model: 'gpt-4o-mini',
      contents: [ask],
      config: { tools: [weatherTool] },
    });
    expect(first.functionCalls).toEqual([{ id: expect.any(String), name: 'get_weather', args: { city: 'Paris' } }]);
    expect(openaiMock.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    // The client sends the call back without its id (as a hand-built history does): it is matched by name.
    const call = { functionCall: { name: 'get_weather', args: { city: 'Paris' } } };
    const second = await ai.models.generateContent({
      model: 'gpt-4o-mini',
      contents: [
        ask,
        { role: 'model', parts: [call] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '21 degrees' } } }] },
      ],
      config: { tools: [weatherTool] },
    });
    expect(second.text).toBe('tool result: 21 degrees');
    const messages = (openaiMock.requests[1]!.body as { messages: Record<string, unknown>[] }).messages;
    const id = (messages[1]!.tool_calls as { id: string }[])[0]?.id;
    expect(messages[2]).toMatchObject({ role: 'tool', tool_call_id: id, content: '21 degrees' });
  });

  test('a streamed function call arrives whole in one chunk', async () => {
    const stream = await genai().models.generateContentStream({
      model: 'gpt-4o-mini',
      contents: 'call get_weather {"city":"Oslo"}',
      config: { tools: [weatherTool] },
    });
    const calls = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toEqual([{ id: expect.any(String), name: 'get_weather', args: { city: 'Oslo' } }]);
  });

  test('thinkingConfig turns thinking on upstream and the reasoning comes back as thought parts', async () => {
    const res = await genai().models.generateContent({
      model: 'gpt-4o-mini',
      contents: 'why is the sky blue',
      config: { thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } },
    });
    const parts = res.candidates?.[0]?.content?.parts ?? [];
    expect(parts[0]).toEqual({ text: 'thinking about: why is the sky blue', thought: true });
    expect(res.text).toBe('echo: why is the sky blue');
    expect(openaiMock.requests[0]?.body).toHaveProperty('reasoning_effort');
  });

  test('the key is accepted in x-goog-api-key (the SDK) and in ?key=', async () => {
    const res = await request(`${gateway.url}/v1beta/models/gpt-4o-mini:generateContent?key=${CLIENT_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ candidates: [{ content: { parts: [{ text: 'echo: hi' }] } }] });
  });

  test('snake_case bodies as in Google REST examples are understood, streamed as SSE with ?alt=sse', async () => {
    const res = await request(`${gateway.url}/v1beta/models/gpt-4o-mini:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY },
      body: JSON.stringify({
        system_instruction: { parts: [{ text: 'You are a cat.' }] },
        contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }],
        generation_config: { max_output_tokens: 20, stop_sequences: ['END'] },
      }),
    });
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = (await res.body.text()).split('\r\n\r\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(openaiMock.requests[0]?.body).toMatchObject({
      max_tokens: 20,
      stop: ['END'],
      messages: [{ role: 'system', content: 'You are a cat.' }, { role: 'user' }],
    });
  });

  test('a model name with a slash and a colon reaches its model (the action follows the last colon)', async () => {
    const res = await genai().models.generateContent({ model: 'team/gpt:latest', contents: 'hi' });
    expect(res.text).toBe('echo: hi');
    expect(openaiMock.requests[0]?.body).toMatchObject({ model: 'gpt-4o-mini' });
  });

  test('a bad key gets a Gemini-shaped 401 the SDK raises as an ApiError', async () => {
    const err = await genai('wrong-key')
      .models.generateContent({ model: 'gpt-4o-mini', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', status: 401 });
    const res = await request(`${gateway.url}/v1beta/models/gpt-4o-mini:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'wrong-key' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toEqual({
      error: { code: 401, message: expect.any(String), status: 'UNAUTHENTICATED' },
    });
    expect(openaiMock.requests).toHaveLength(0);
  });

  test('an unknown model is a Gemini-shaped 404, an unknown action too', async () => {
    const err = await genai()
      .models.generateContent({ model: 'no-such-model', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', status: 404 });
    const res = await request(`${gateway.url}/v1beta/models/gpt-4o-mini:predictLongRunning`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY },
      body: '{}',
    });
    expect(res.statusCode).toBe(404);
    expect(await res.body.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  test("errors before the route — a URL that does not decode, an unknown path, a body nested too deep — are Gemini's shape", async () => {
    const post = (path: string, body = '{}') =>
      request(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY },
        body,
      });
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    for (const [res, status] of [
      [await post('/v1beta/models/%ZZ:generateContent'), 400],
      [await post('/v1beta/tunedModels/x:generateContent'), 404],
      [await post('/v1beta/models/gpt-4o-mini:generateContent', deep), 400],
    ] as const) {
      expect(res.statusCode).toBe(status);
      expect(await res.body.json()).toMatchObject({ error: { code: status, message: expect.any(String) } });
    }
  });

  test('a body Gemini would refuse is a 400 INVALID_ARGUMENT naming the field', async () => {
    const res = await request(`${gateway.url}/v1beta/models/gpt-4o-mini:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY },
      body: JSON.stringify({ contents: [] }),
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({
      error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('contents') },
    });
  });

  test('an upstream stream cut mid-way ends with a Gemini error chunk the SDK raises', async () => {
    openaiMock.enqueue({ cutAfterChunks: 3 });
    const stream = await genai().models.generateContentStream({ model: 'gpt-4o-mini', contents: 'a b c d e f g' });
    const err = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', status: 502 });
  });
});

describe('@google/genai client -> gateway -> Gemini API', () => {
  test('a chat with a function call keeps the thought signature Gemini gave it, streamed and back', async () => {
    const chat = genai().chats.create({
      model: 'gemini-2.5-flash',
      config: { tools: [weatherTool], thinkingConfig: { includeThoughts: true } },
    });
    const calls = [];
    let signature: string | undefined;
    for await (const chunk of await chat.sendMessageStream({ message: 'call get_weather {"city":"Lima"}' })) {
      calls.push(...(chunk.functionCalls ?? []));
      signature ??= chunk.candidates?.[0]?.content?.parts?.find((p) => p.functionCall)?.thoughtSignature;
    }
    expect(signature).toMatch(/^mock-signature-/);
    expect(calls).toEqual([{ id: expect.any(String), name: 'get_weather', args: { city: 'Lima' } }]);
    const answer = await chat.sendMessage({
      message: { functionResponse: { id: calls[0]!.id!, name: 'get_weather', response: { output: 'sunny' } } },
    });
    expect(answer.text).toBe('tool result: sunny');
    const history = (googleMock.requests[1]!.body as { contents: { role: string; parts: unknown[] }[] }).contents;
    expect(history[1]).toEqual({
      role: 'model',
      parts: [{ functionCall: { name: 'get_weather', args: { city: 'Lima' } }, thoughtSignature: signature }],
    });
  });
});

const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'hello world' },
];

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      parameters: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      },
    },
  },
];

describe('openai client -> gateway -> Gemini API', () => {
  test('chat reaches generateContent with the key header and systemInstruction, and answers with usage', async () => {
    const res = await gateway.openai().chat.completions.create({ model: 'gemini-2.5-flash', messages, max_tokens: 64 });
    expect(res.choices[0]?.message.content).toBe('echo: hello world');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    const seen = googleMock.requests[0]!;
    expect(seen.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(seen.headers['x-goog-api-key']).toBe('gm-key');
    expect(seen.body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'hello world' }] }],
      generationConfig: { maxOutputTokens: 64 },
    });
  });

  test('a stream arrives as OpenAI chunks with the usage chunk', async () => {
    const stream = await gateway.openai().chat.completions.create({
      model: 'gemini-2.5-flash',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: { total_tokens: number } | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('echo: hello world');
    expect(usage?.total_tokens).toBe(7);
    expect(googleMock.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(googleMock.requests[0]?.query).toEqual({ alt: 'sse' });
  });

  test('tools: the call comes back with an id, and the tool result goes back as a functionResponse', async () => {
    const client = gateway.openai();
    const ask = { role: 'user' as const, content: 'call get_weather {"city":"Paris"}' };
    const first = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [ask], tools });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ id: expect.stringMatching(/^call_/), function: { name: 'get_weather' } });
    expect(googleMock.requests[0]?.body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              parametersJsonSchema: {
                type: 'object',
                properties: { city: { type: 'string' } },
                additionalProperties: false,
              },
            },
          ],
        },
      ],
    });
    expect(JSON.stringify(googleMock.requests[0]?.body)).not.toContain('$schema');
    const second = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      tools,
      messages: [
        ask,
        { role: 'assistant', content: null, tool_calls: [call!] },
        { role: 'tool', tool_call_id: call!.id, content: '{"temperature":21}' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('tool result: {"temperature":21}');
    // An OpenAI client cannot carry the thought signature back: the call carries Google's documented stand-in.
    expect((googleMock.requests[1]!.body as { contents: unknown[] }).contents.slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          {
            functionCall: { name: 'get_weather', args: { city: 'Paris' } },
            thoughtSignature: 'skip_thought_signature_validator',
          },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 21 } } }] },
    ]);
  });

  test('reasoning_effort asks for thoughts; they come back as reasoning_content and reasoning tokens', async () => {
    const res = await gateway.openai().chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'why is the sky blue' }],
      reasoning_effort: 'low',
    });
    const message = res.choices[0]?.message as { content: string; reasoning_content?: string };
    expect(message.reasoning_content).toBe('thinking about: why is the sky blue');
    expect(message.content).toBe('echo: why is the sky blue');
    expect(res.usage?.completion_tokens_details?.reasoning_tokens).toBe(7);
    expect(googleMock.requests[0]?.body).toMatchObject({
      generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } },
    });
  });

  test('embeddings go through batchEmbedContents', async () => {
    const res = await gateway.openai().embeddings.create({
      model: 'gemini-embedding-001',
      input: ['a', 'b'],
      encoding_format: 'float',
      dimensions: 4,
    });
    expect(res.data.map((d) => d.embedding.length)).toEqual([4, 4]);
    expect(googleMock.requests[0]?.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
  });

  test('countTokens, models.list and models.get answer the genai SDK', async () => {
    const counted = await genai().models.countTokens({ model: 'gpt-4o-mini', contents: 'hello there, how are you' });
    expect(counted.totalTokens).toBeGreaterThan(5);
    const names: string[] = [];
    for await (const model of await genai().models.list()) names.push(model.name ?? '');
    expect(names).toContain('models/gpt-4o-mini');
    expect((await genai().models.get({ model: 'gemini-2.5-flash' })).name).toBe('models/gemini-2.5-flash');
    const missing = await genai()
      .models.get({ model: 'no-such-model' })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404 });
    expect(openaiMock.requests).toHaveLength(0);
  });

  test("a key Google refuses (400 API_KEY_INVALID) is a 502 with Google's message, and the key is taken out", async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({ model: 'gemini-bad-key', messages })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502 });
    expect(String((err as Error).message)).toContain('API key not valid');
    expect(gateway.gw.keyHealth.status('gm-bad/key#1').disabledReason).toContain('API key not valid');
    gateway.gw.keyHealth.enable('gm-bad/key#1');
  });
});

describe('openai client -> gateway -> Vertex AI', () => {
  const tokenRequests = (): number => googleMock.requests.filter((r) => r.path === '/token').length;

  test('chat and stream reach the project and region path with a bearer token fetched once and reused', async () => {
    const client = gateway.openai();
    const res = await client.chat.completions.create({ model: 'gemini-2.5-pro', messages });
    expect(res.choices[0]?.message.content).toBe('echo: hello world');
    const stream = await client.chat.completions.create({ model: 'gemini-2.5-pro', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('echo: hello world');
    const calls = googleMock.requests.filter((r) => r.path !== '/token');
    expect(calls.map((r) => r.path)).toEqual([
      '/v1/projects/mock-project/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent',
      '/v1/projects/mock-project/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent',
    ]);
    expect(calls[0]?.headers.authorization).toMatch(/^Bearer ya29\./);
    expect(calls[1]?.headers.authorization).toBe(calls[0]?.headers.authorization);
    expect(tokenRequests()).toBe(1);
  });

  test('a token upstream no longer accepts is replaced by a fresh one and the request still succeeds', async () => {
    await gateway.openai().chat.completions.create({ model: 'gemini-2.5-pro', messages });
    googleMock.reset();
    revokeAccessTokens();
    const res = await gateway.openai().chat.completions.create({ model: 'gemini-2.5-pro', messages });
    expect(res.choices[0]?.message.content).toBe('echo: hello world');
    expect(googleMock.requests.map((r) => [r.path.split(':').at(-1), r.status])).toEqual([
      ['generateContent', 401],
      ['/token', 200],
      ['generateContent', 200],
    ]);
    // The key stays in rotation: the next request uses the new token without another exchange.
    await gateway.openai().chat.completions.create({ model: 'gemini-2.5-pro', messages });
    expect(tokenRequests()).toBe(1);
  });

  test('tools and thinking work as on the Gemini API', async () => {
    const res = await gateway.openai().chat.completions.create({
      model: 'gemini-2.5-pro',
      messages: [{ role: 'user', content: 'call get_weather {"city":"Rome"}' }],
      tools,
      reasoning_effort: 'high',
    });
    const message = res.choices[0]?.message as {
      tool_calls?: { function: { arguments: string } }[];
      reasoning_content?: string;
    };
    expect(JSON.parse(message.tool_calls?.[0]?.function.arguments ?? '')).toEqual({ city: 'Rome' });
    expect(message.reasoning_content).toContain('thinking about');
  });

  test('embeddings go through :predict with token counts', async () => {
    const res = await gateway.openai().embeddings.create({
      model: 'text-embedding-005',
      input: 'hello there world',
      encoding_format: 'float',
    });
    expect(res.data).toHaveLength(1);
    expect(res.usage.prompt_tokens).toBe(3);
  });
});
