/**
 * For tests of usage logs and statistics: a gateway with two users on a fresh database, and usage log rows inserted
 * straight into it (defaults for every field but whose and when).
 */
import type { Engine, Store } from '../src/store/db.ts';
import type { NewUsageLog } from '../src/store/schema.ts';
import { AdminClient } from './admin-client.ts';
import { type RunningGateway, startGateway } from './harness.ts';
import { createTestDatabase } from './stores.ts';

export interface GatewayWithUsers {
  gateway: RunningGateway;
  root: AdminClient;
  alice: AdminClient & { id: number };
  bob: AdminClient & { id: number };
  close(): Promise<void>;
}

/** A gateway on a fresh database of the engine, with root and the users alice and bob logged in. */
export async function gatewayWithUsers(engine: Engine): Promise<GatewayWithUsers> {
  const database = await createTestDatabase(engine);
  const gateway = await startGateway({}, { databaseUrl: database.url });
  const root = await AdminClient.root(gateway.url);
  const alice = await root.newUser('alice');
  const bob = await root.newUser('bob');
  return {
    gateway,
    root,
    alice,
    bob,
    close: async () => {
      await gateway.close();
      await database.drop();
    },
  };
}

export function usageLog(fields: Partial<NewUsageLog> & Pick<NewUsageLog, 'user_id' | 'created_at'>): NewUsageLog {
  return {
    request_id: Math.random().toString(36).slice(2),
    token_id: 1,
    token_name: 't',
    channel: 'ch-a',
    model: 'm1',
    upstream_model: 'm1',
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_tokens: 0,
    quota: 100,
    cost_usd: 0.0002,
    latency_ms: 100,
    ttft_ms: null,
    stream: 0,
    status: 200,
    error: null,
    ip: '127.0.0.1',
    ...fields,
  };
}

/** Inserts many rows in batches (engines cap the parameters of one statement). */
export async function insertLogs(store: Store, rows: readonly NewUsageLog[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await store.db
      .insertInto('usage_logs')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}
