/** The dialects plugged into the mock upstream beside its built-in OpenAI, Azure and Ollama: one line per provider format. */
import type { MockDialect } from './dialect.ts';

export const DIALECTS: readonly MockDialect[] = [];
