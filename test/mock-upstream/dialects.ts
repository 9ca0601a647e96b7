/** The dialects plugged into the mock upstream beside its built-in OpenAI, Azure and Ollama: one line per provider format. */
import type { MockDialect } from './dialect.ts';
import { gemini, vertex } from './gemini.ts';

export const DIALECTS: readonly MockDialect[] = [gemini, vertex];
