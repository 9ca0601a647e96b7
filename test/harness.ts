/** Starts a real gateway (in this process, on a random port) for end-to-end tests. */
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { pino } from 'pino';
import { type ConfigInput, configSchema } from '../src/config/schema.ts';
import { type Gateway, openGateway } from '../src/gateway.ts';
import { createLogger, type Logger } from '../src/log.ts';
import { buildApp } from '../src/server/app.ts';

export interface RunningGateway {
  url: string;
  gw: Gateway;
  /** The Fastify app serving `url` (for `app.inject()`). */
  app: FastifyInstance;
  /** An official OpenAI SDK client pointed at the gateway (no SDK-side retries: the gateway's are under test). */
  openai(apiKey?: string): OpenAI;
  close(): Promise<void>;
}

export const CLIENT_KEY = 'sk-client-test';

export interface GatewayOptions {
  /** The database (default: a fresh in-memory SQLite). */
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** The gateway's logger (default: silent); see capturingLogger. */
  log?: Logger;
  /** Called with the app before it is ready (e.g. to add an `onRoute` hook that sees every route). */
  onApp?: (app: FastifyInstance, gw: Gateway) => void;
}

export const TEST_SECRET = 'switchyard-test-secret-0123456789';
export const ROOT_PASSWORD = 'root-password-for-tests';

export async function startGateway(input: ConfigInput, options: GatewayOptions = {}): Promise<RunningGateway> {
  const config = configSchema.parse({
    auth: { keys: [CLIENT_KEY] },
    ...input,
    server: { port: 0, host: '127.0.0.1', ...input.server },
  });
  const env = {
    DATABASE_URL: options.databaseUrl ?? 'sqlite::memory:',
    SWITCHYARD_SECRET: TEST_SECRET,
    SWITCHYARD_ADMIN_PASSWORD: ROOT_PASSWORD,
    ...options.env,
  };
  const gw = await openGateway(config, options.log ?? createLogger('silent'), { env, dataDir: '/nonexistent' });
  const app = buildApp(gw);
  options.onApp?.(app, gw);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    gw,
    app,
    openai: (apiKey = CLIENT_KEY) => new OpenAI({ baseURL: `${address}/v1`, apiKey, maxRetries: 0, timeout: 10_000 }),
    close: async () => {
      await app.close();
      await gw.close();
    },
  };
}

/** A logger that keeps every line it writes, parsed, for tests that read what the gateway logged. */
export function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info', base: null },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { log, lines };
}

/**
 * Two OpenAI providers of `gpt-4o-mini` on a mock upstream: `primary` (key `k-primary`) tried first, `backup` (key
 * `k-backup`, priority 1) when it fails. With `routing.strategy: priority`, a fault on k-primary shows a failover.
 */
export function primaryAndBackup(mockUrl: string): NonNullable<ConfigInput['providers']> {
  const provider = { type: 'openai', base_url: `${mockUrl}/v1`, models: ['gpt-4o-mini'] };
  return [
    { ...provider, name: 'primary', keys: ['k-primary'] },
    { ...provider, name: 'backup', keys: ['k-backup'], priority: 1 },
  ];
}
