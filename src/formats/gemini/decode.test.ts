import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { thrown } from '../../../test/provider-tests.ts';
import { InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest } from '../../core/types.ts';
import { gemini } from './index.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

const decode = (body: unknown, model = 'gemini-2.5-flash', stream = false): ChatRequest =>
  gemini.decodeRequest({ body, owner: 'test', pathModel: model, pathStream: stream }) as ChatRequest;

describe('gemini requests -> canonical', () => {
  test('the documented text request: model and stream from the path, thinking budget 0 leaves thinking off', () => {
    expect(decode(fixture('text.request.json'), 'gemini-2.5-flash', true)).toEqual({
      model: 'gemini-2.5-flash',
      stream: true,
      includeUsage: true,
      messages: [{ role: 'user', content: 'Explain how AI works in a few words' }],
    });
  });

  test('a multi-turn chat keeps its turns, model turns as assistant', () => {
    expect(decode(fixture('multi-turn.request.json')).messages).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Great to meet you. What would you like to know?' },
      { role: 'user', content: 'I have two dogs in my house. How many paws are in my house?' },
    ]);
  });

  test('snake_case system_instruction and generationConfig sampling fields map over', () => {
    const req = decode(fixture('system-config.request.json'));
    expect(req.messages).toEqual([
      { role: 'system', content: 'You are a cat. Your name is Neko.' },
      { role: 'user', content: 'Hello there' },
    ]);
    expect(req).toMatchObject({ stop: ['Title'], temperature: 1, topP: 0.8, topK: 10 });
  });

  test('inline image data becomes a data: URL image part', () => {
    const body = fixture('image.request.json') as { contents: { parts: { inline_data?: { data: string } }[] }[] };
    const data = body.contents[0]!.parts[0]!.inline_data!.data;
    expect(decode(body).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', url: `data:image/jpeg;base64,${data}` },
          { type: 'text', text: 'Caption this image.' },
        ],
      },
    ]);
  });

  test('parallel calls get stable ids; responses in another order find their calls by name', () => {
    const body = fixture('parallel-function-calling.request.json');
    const req = decode(body);
    expect(req.messages).toEqual([
      { role: 'user', content: 'Turn this place into a party!' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_0', name: 'power_disco_ball', arguments: '{"power":true}' },
          { id: 'call_1', name: 'start_music', arguments: '{"energetic":true,"loud":true}' },
          { id: 'call_2', name: 'dim_lights', arguments: '{"brightness":0.5}' },
        ],
      },
      {
        role: 'tool',
        toolCallId: 'call_1',
        name: 'start_music',
        content: '{"result":"Starting music! energetic=True loud=True"}',
      },
      { role: 'tool', toolCallId: 'call_0', name: 'power_disco_ball', content: '{"result":"Disco ball is spinning!"}' },
      { role: 'tool', toolCallId: 'call_2', name: 'dim_lights', content: '{"result":"Lights are now set to 50%"}' },
    ]);
    // The same history decodes to the same ids on the next turn.
    expect(decode(body).messages).toEqual(req.messages);
    expect(req.toolChoice).toBe('required');
  });

  test("Google's Schema declarations become JSON Schema (lower-case types)", () => {
    const tools = decode(fixture('parallel-function-calling.request.json')).tools!;
    expect(tools.map((t) => t.name)).toEqual(['power_disco_ball', 'start_music', 'dim_lights']);
    expect(tools[2]).toEqual({
      name: 'dim_lights',
      description: 'Dim the lights.',
      parameters: {
        type: 'object',
        properties: {
          brightness: { type: 'number', description: 'The brightness of the lights, 0.0 is off, 1.0 is full.' },
        },
        required: ['brightness'],
      },
    });
  });

  test('thought parts become reasoning, the signature is kept, thinking level maps to effort', () => {
    const req = decode(fixture('thinking-history.request.json'));
    expect(req.messages[1]).toEqual({
      role: 'assistant',
      content: '',
      reasoning: '**Checking the flight**\n\nI need the status of AA100 first.',
      reasoningSignature: '<Signature A>',
      toolCalls: [{ id: 'call_0', name: 'check_flight', arguments: '{"flight":"AA100"}' }],
    });
    expect(req.messages[2]).toEqual({
      role: 'tool',
      toolCallId: 'call_0',
      name: 'check_flight',
      content: '{"status":"delayed","departure_time":"12 PM"}',
    });
    expect(req.thinking).toEqual({});
    expect(req.reasoningEffort).toBe('high');
    expect(req.tools?.[0]?.parameters).toMatchObject({ type: 'object', required: ['flight'] });
  });

  test('a thinking budget is kept; {output} and {error} responses unwrap; ids the client kept win', () => {
    const req = decode({
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        { role: 'model', parts: [{ functionCall: { id: 'call_abc', name: 'f', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'call_abc', name: 'f', response: { error: 'boom' } } }] },
        { role: 'model', parts: [{ functionCall: { name: 'g' } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'g', response: { output: 'done' } } }, { text: 'and?' }] },
      ],
      generationConfig: { thinkingConfig: { thinkingBudget: 2048 }, maxOutputTokens: 100 },
    });
    expect(req.messages.slice(2)).toEqual([
      { role: 'tool', toolCallId: 'call_abc', name: 'f', content: 'boom', isError: true },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_0', name: 'g', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'call_0', name: 'g', content: 'done' },
      { role: 'user', content: 'and?' },
    ]);
    expect(req.thinking).toEqual({ budgetTokens: 2048 });
    expect(req.maxTokens).toBe(100);
  });

  test('JSON output: responseJsonSchema becomes a json_schema format, a bare JSON mime type json_object', () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } } };
    const contents = [{ parts: [{ text: 'x' }] }];
    expect(
      decode({ contents, generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } })
        .responseFormat,
    ).toEqual({ type: 'json_schema', name: 'response', schema });
    expect(
      decode({
        contents,
        generationConfig: {
          responseMimeType: 'application/json',
          responseSchema: { type: 'ARRAY', items: { type: 'STRING' } },
        },
      }).responseFormat,
    ).toEqual({ type: 'json_schema', name: 'response', schema: { type: 'array', items: { type: 'string' } } });
    expect(decode({ contents, generationConfig: { responseMimeType: 'application/json' } }).responseFormat).toEqual({
      type: 'json_object',
    });
  });

  test('function calling modes: NONE, AUTO, ANY with one allowed name, ANY with several narrows the tools', () => {
    const tool = (name: string) => ({ name, parametersJsonSchema: { type: 'object' } });
    const body = (functionCallingConfig: unknown) => ({
      contents: [{ parts: [{ text: 'x' }] }],
      tools: [{ functionDeclarations: [tool('a'), tool('b'), tool('c')] }],
      toolConfig: { functionCallingConfig },
    });
    expect(decode(body({ mode: 'NONE' })).toolChoice).toBe('none');
    expect(decode(body({ mode: 'AUTO' })).toolChoice).toBe('auto');
    expect(decode(body({ mode: 'ANY', allowedFunctionNames: ['b'] })).toolChoice).toEqual({ name: 'b' });
    const narrowed = decode(body({ mode: 'ANY', allowedFunctionNames: ['a', 'c'] }));
    expect(narrowed.toolChoice).toBe('required');
    expect(narrowed.tools?.map((t) => t.name)).toEqual(['a', 'c']);
  });

  test('audio and PDFs inline become audio and file parts; an image by URI stays a URL', () => {
    const req = decode({
      contents: [
        {
          parts: [
            { inlineData: { mimeType: 'audio/mp3', data: 'AAAA' } },
            { inlineData: { mimeType: 'application/pdf', data: 'JVBE' } },
            { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png' } },
          ],
        },
      ],
    });
    expect(req.messages[0]?.content).toEqual([
      { type: 'audio', data: 'AAAA', format: 'mp3' },
      { type: 'file', data: 'JVBE', mediaType: 'application/pdf' },
      { type: 'image', url: 'https://example.com/cat.png' },
    ]);
  });

  test('what cannot be carried is a 400 naming it', () => {
    const contents = [{ parts: [{ text: 'x' }] }];
    const search = thrown(() => decode({ contents, tools: [{ googleSearch: {} }] }));
    expect(search).toBeInstanceOf(InvalidRequest);
    expect(search.param).toBe('tools[0].googleSearch');
    expect(thrown(() => decode({ contents, generationConfig: { candidateCount: 2 } })).param).toBe(
      'generationConfig.candidateCount',
    );
    const video = thrown(() =>
      decode({ contents: [{ parts: [{ fileData: { mimeType: 'video/mp4', fileUri: 'gs://b/v.mp4' } }] }] }),
    );
    expect(video.message).toContain('video/mp4');
    expect(video.param).toBe('contents[0].parts[0].fileData');
    expect(thrown(() => decode({ contents: [{ parts: [{ executableCode: { code: 'x' } }] }] })).message).toContain(
      "'executableCode'",
    );
  });

  test('a malformed body is a 400 naming the field; no model in the path too', () => {
    expect(thrown(() => decode({ contents: [{ role: 'system', parts: [] }] })).param).toBe('contents[0].role');
    expect(thrown(() => decode({})).message).toContain("'contents'");
    expect(thrown(() => gemini.decodeRequest({ body: { contents: [] }, owner: 't' }) as ChatRequest).status).toBe(400);
  });
});
