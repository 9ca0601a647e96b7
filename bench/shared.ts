// Request payloads and the IPC message shapes shared by the bench orchestrator and its load generator.

/** The bench only ever talks to the loopback interface. */
export const HOST = '127.0.0.1';
export const CLIENT_KEY = 'sk-bench';
/** Routed by Switchyard to the mock port that answers at once. */
export const FAST_MODEL = 'bench-model';
/** Routed by Switchyard to the mock port that waits before answering. */
export const SLOW_MODEL = 'bench-model-slow';
/** Routed by Switchyard to the mock's Anthropic Messages endpoint: an OpenAI client served by an Anthropic upstream. */
export const CROSS_MODEL = 'bench-claude';
export const CHAT_PATH = '/v1/chat/completions';
export const ANTHROPIC_PATH = '/v1/messages';

const messages = [{ role: 'user', content: 'Say hello in one short sentence.' }];

export function chatBody(model: string, stream: boolean): string {
  return JSON.stringify(stream ? { model, messages, stream: true } : { model, messages });
}

/** One load run: POST `body` to `url` from `concurrency` workers until `stop` is reached. */
export interface LoadSpec {
  url: string;
  /** Several instances of one target: requests go round-robin over these instead of `url`. */
  urls?: string[];
  body: string;
  stream: boolean;
  concurrency: number;
  stop: { requests: number } | { ms: number };
}

export interface Spread {
  p50: number;
  p99: number;
  mean: number;
}

export interface LoadResult {
  ok: number;
  errors: number;
  /** The first failure, to tell a broken target from a slow one. */
  errorSample: string | null;
  elapsedMs: number;
  rps: number;
  latencyMs: Spread;
  /** Time from sending the request to the first body byte; streams only. */
  firstByteMs: Spread | null;
}
