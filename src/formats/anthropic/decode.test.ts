import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { thrown } from '../../../test/provider-tests.ts';
import type { ChatRequest } from '../../core/types.ts';
import { anthropic } from './index.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

/** The canonical request, without the native copy of the body every decode keeps (tested on its own below). */
const decode = (body: unknown): ChatRequest => {
  const { native: _native, ...req } = anthropic.decodeRequest({ body, owner: 'test' }) as ChatRequest;
  return req;
};

test('the body and the anthropic-beta header are kept for an Anthropic upstream, as sent', () => {
  const body = {
    model: 'claude-x',
    max_tokens: 10,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
  };
  const req = anthropic.decodeRequest({
    body,
    owner: 'test',
    headers: { 'anthropic-beta': 'context-1m-2025-08-07' },
  }) as ChatRequest;
  expect(req.native).toEqual({ format: 'anthropic', body, headers: { 'anthropic-beta': 'context-1m-2025-08-07' } });
});
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('anthropic requests decoded', () => {
  test("Claude Code's request: system blocks, thinking history with signature, tool use and result, tools", () => {
    expect(decode(fixture('claude-code.request.json'))).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      stream: true,
      includeUsage: true,
      maxTokens: 32000,
      temperature: 1,
      user: 'user_2f5e_account__session_8c1d',
      thinking: { budgetTokens: 31999 },
      toolChoice: 'auto',
      messages: [
        {
          role: 'system',
          content:
            "You are Claude Code, Anthropic's official CLI for Claude.\nYou are an interactive CLI tool that helps users with software engineering tasks.",
        },
        {
          role: 'user',
          content: [
            {
              type: 'text',
              text: "<system-reminder>\nAs you answer the user's questions, you can use the following context.\n</system-reminder>",
            },
            { type: 'text', text: 'what does package.json say?' },
          ],
        },
        {
          role: 'assistant',
          content: '',
          reasoning: 'I should read the file.',
          reasoningSignature: 'ErUBCkYIBBgCIkA',
          toolCalls: [{ id: 'toolu_01Read', name: 'Read', arguments: '{"file_path":"/repo/package.json"}' }],
        },
        { role: 'tool', toolCallId: 'toolu_01Read', content: '     1\t{ "name": "demo" }' },
        { role: 'user', content: [{ type: 'text', text: 'and the logo?' }] },
      ],
      tools: [
        {
          name: 'Read',
          description: 'Reads a file from the local filesystem.',
          parameters: {
            type: 'object',
            properties: { file_path: { type: 'string', description: 'The absolute path to the file to read' } },
            required: ['file_path'],
            additionalProperties: false,
            $schema: 'http://json-schema.org/draft-07/schema#',
          },
        },
      ],
    });
  });

  test('tool results with images and errors, several in one turn, and empty content', () => {
    const req = decode({
      model: 'm',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 't1', name: 'shot', input: {} },
            { type: 'tool_use', id: 't2', name: 'fail', input: { x: 1 } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              content: [
                { type: 'text', text: 'here' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              ],
            },
            { type: 'tool_result', tool_use_id: 't2', is_error: true, content: 'boom' },
            { type: 'tool_result', tool_use_id: 't3' },
          ],
        },
        { role: 'assistant', content: [] },
      ],
    });
    expect(req.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 't1', name: 'shot', arguments: '{}' },
          { id: 't2', name: 'fail', arguments: '{"x":1}' },
        ],
      },
      {
        role: 'tool',
        toolCallId: 't1',
        content: [
          { type: 'text', text: 'here' },
          { type: 'image', url: `data:image/png;base64,${PNG}` },
        ],
      },
      { role: 'tool', toolCallId: 't2', content: 'boom', isError: true },
      { role: 'tool', toolCallId: 't3', content: '' },
      { role: 'assistant', content: '' },
    ]);
  });

  test('sampling, stop sequences, tool choice any/tool/none with parallel calls off, adaptive thinking', () => {
    const req = decode({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
      stop_sequences: ['END'],
      top_p: 0.8,
      top_k: 20,
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      thinking: { type: 'adaptive' },
    });
    expect(req).toMatchObject({ stop: ['END'], topP: 0.8, topK: 20, toolChoice: 'required', parallelToolCalls: false });
    expect(req.thinking).toEqual({});
    const tool = decode({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
      tool_choice: { type: 'tool', name: 'f' },
      thinking: { type: 'disabled' },
    });
    expect(tool.toolChoice).toEqual({ name: 'f' });
    expect(tool.thinking).toBeUndefined();
  });

  test('a redacted thinking block travels as a marked signature', () => {
    const req = decode({
      model: 'm',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          content: [
            { type: 'redacted_thinking', data: 'EmwKAhgBEgy3' },
            { type: 'text', text: 'ok' },
          ],
        },
      ],
    });
    expect(req.messages[1]).toEqual({
      role: 'assistant',
      content: 'ok',
      reasoningSignature: 'redacted_thinking:EmwKAhgBEgy3',
    });
  });

  test('a bad body is a 400 naming the field the way Anthropic does', () => {
    expect(thrown(() => decode({ model: 'm', messages: [] })).message).toBe('max_tokens: Field required');
    const bad = thrown(() =>
      decode({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'video' }] }] }),
    );
    expect(bad.status).toBe(400);
    expect(bad.param).toBe('messages.0.content.0.type');
    const server = thrown(() =>
      decode({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      }),
    );
    expect(server.message).toContain('web_search_20250305');
    expect(server.param).toBe('tools.0.type');
  });
});
