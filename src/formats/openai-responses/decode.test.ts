import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ChatRequest } from '../../core/types.ts';
import { MemoryResponseStore } from '../../state/response-store.ts';
import { chatRequestFromResponses, validateResponsesRequest } from './decode.ts';
import { responsesFormat } from './index.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.request.json`, import.meta.url), 'utf8'));

const decode = (body: unknown): ChatRequest => chatRequestFromResponses(validateResponsesRequest(body), []);

describe('Responses request -> canonical request', () => {
  test('instructions become a leading system message; a string input one user turn', () => {
    expect(decode(fixture('instructions'))).toEqual({
      model: 'gpt-4.1',
      stream: false,
      includeUsage: false,
      messages: [
        { role: 'system', content: 'Talk like a pirate.' },
        { role: 'user', content: 'Are semicolons optional in JavaScript?' },
      ],
    });
  });

  test('a multi-turn history of role messages keeps its turns', () => {
    expect(decode(fixture('multi-turn')).messages).toEqual([
      { role: 'user', content: 'knock knock.' },
      { role: 'assistant', content: "Who's there?" },
      { role: 'user', content: 'Orange.' },
    ]);
  });

  test('function_call becomes an assistant tool call, function_call_output its tool result; tools and choice map', () => {
    const req = decode(fixture('function-call-output'));
    expect(req.messages).toEqual([
      { role: 'user', content: 'What is the weather like in Paris today?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_12345xyz', name: 'get_weather', arguments: '{"location":"Paris, France"}' }],
      },
      { role: 'tool', toolCallId: 'call_12345xyz', content: '{"temperature": 22}' },
    ]);
    expect(req.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Get current temperature for a given location.',
        parameters: expect.objectContaining({ required: ['location'] }),
        strict: true,
      },
    ]);
    expect(req.toolChoice).toBe('auto');
    expect(req.parallelToolCalls).toBe(false);
  });

  test('input_image by URL becomes an image part with its detail', () => {
    expect(decode(fixture('image')).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is in this image?' },
          {
            type: 'image',
            url: 'https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg',
            detail: 'high',
          },
        ],
      },
    ]);
  });

  test('a reasoning item joins the assistant message after it, its encrypted content as the signature', () => {
    const req = decode(fixture('reasoning-history'));
    expect(req.messages).toEqual([
      { role: 'developer', content: 'Answer in one sentence.' },
      { role: 'user', content: [{ type: 'text', text: 'What is 17 * 24?' }] },
      {
        role: 'assistant',
        content: '17 * 24 = 408.',
        reasoning: '**Multiplying**\n\n17 * 24 = 408.',
        reasoningSignature: 'gAAAAABoIPOZ-opaque',
      },
      { role: 'user', content: 'And times two?' },
    ]);
    expect(req.reasoningEffort).toBe('medium');
    expect(req.responseFormat).toEqual({
      type: 'json_schema',
      name: 'answer',
      schema: { type: 'object', properties: { value: { type: 'number' } }, required: ['value'] },
      strict: true,
    });
  });

  test('parallel function calls after one assistant message make one turn; their outputs follow in order', () => {
    const req = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'weather in Paris and Oslo' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', call_id: 'c1', name: 'w', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'c2', name: 'w', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: '21' }] },
        { type: 'function_call_output', call_id: 'c2', output: '12' },
      ],
    });
    expect(req.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [
          { id: 'c1', name: 'w', arguments: '{"city":"Paris"}' },
          { id: 'c2', name: 'w', arguments: '{"city":"Oslo"}' },
        ],
      },
      { role: 'tool', toolCallId: 'c1', content: [{ type: 'text', text: '21' }] },
      { role: 'tool', toolCallId: 'c2', content: '12' },
    ]);
  });

  test('input_file with file_data becomes a file part; stream, sampling and limits map', () => {
    const req = decode({
      model: 'm',
      stream: true,
      max_output_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u-1',
      input: [
        {
          role: 'user',
          content: [{ type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' }],
        },
      ],
    });
    expect(req).toMatchObject({ stream: true, includeUsage: true, maxTokens: 100, temperature: 0.2, topP: 0.9 });
    expect(req.user).toBe('u-1');
    expect(req.messages[0]?.content).toEqual([
      { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf', name: 'a.pdf' },
    ]);
  });

  test.each([
    [{ tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] }, 'tools[0].type', 'file_search'],
    [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].type', 'item_reference'],
    [{ input: [{ type: 'computer_call_output', call_id: 'c' }] }, 'input[0].type', 'computer_call_output'],
    [
      { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] },
      'input[0].content[0]',
      'file_id',
    ],
    [{ tool_choice: { type: 'web_search_preview' } }, 'tool_choice', 'web_search_preview'],
    [{ conversation: 'conv_1' }, 'conversation', 'conversation'],
    [{ input: [{ role: 'user', content: 'x' }], model: '' }, 'model', 'model'],
  ])('refused with a 400 naming what: %j', (patch, param, named) => {
    const body = { model: 'm', input: 'x', ...patch };
    expect(() => decode(body)).toThrow(
      expect.objectContaining({ status: 400, param, message: expect.stringContaining(named) }),
    );
  });
});

describe('previous_response_id', () => {
  test("prepends the stored conversation of this owner's response; another owner's is not found", async () => {
    const store = new MemoryResponseStore();
    await store.put('alice', 'resp_1', {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
      response: {},
    });
    const format = responsesFormat(store);
    const body = { model: 'm', input: 'again', instructions: 'Be kind.', previous_response_id: 'resp_1' };
    const req = await format.decodeRequest({ body, owner: 'alice' });
    expect(req.messages).toEqual([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'again' },
    ]);
    await expect(format.decodeRequest({ body, owner: 'bob' })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
      message: "Previous response with id 'resp_1' not found.",
    });
  });
});
