/** The dialects plugged into the mock upstream beside its built-in OpenAI, Azure and Ollama: one line per provider format. */
import { anthropic } from './anthropic.ts';
import { bedrock } from './bedrock.ts';
import { coze } from './coze.ts';
import type { MockDialect } from './dialect.ts';
import { fitten } from './fitten.ts';
import { gemini, vertex } from './gemini.ts';

export const DIALECTS: readonly MockDialect[] = [gemini, vertex, coze, fitten, anthropic, bedrock];
