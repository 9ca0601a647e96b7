import { sql } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import { ENGINES, freshStore } from '../../test/stores.ts';
import { createLogger } from '../log.ts';
import type { Store } from './db.ts';
import { type UsageRecord, UsageWriter } from './usage-writer.ts';

function record(requestId: string, quota = 10): UsageRecord {
  return {
    log: {
      request_id: requestId,
      created_at: Date.now(),
      user_id: null,
      token_id: null,
      token_name: 'anonymous',
      channel: null,
      model: 'm',
      upstream_model: null,
      prompt_tokens: 1,
      completion_tokens: 1,
      cached_tokens: 0,
      quota,
      cost_usd: quota / 500_000,
      latency_ms: 1,
      ttft_ms: null,
      stream: 0,
      status: 200,
      error: null,
      ip: null,
    },
    quota,
    tokenReserved: 0,
    userReserved: 0,
    tokenUnlimited: true,
  };
}

async function rename(store: Store, from: string, to: string): Promise<void> {
  await sql`ALTER TABLE ${sql.table(from)} RENAME TO ${sql.table(to)}`.execute(store.db);
}

describe.each(ENGINES)('usage writer on %s', (engine) => {
  const disposers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const dispose of disposers) await dispose();
  });

  test('while the database refuses writes, records wait; a full queue pushes back; nothing is lost', async () => {
    const store = await freshStore(engine);
    disposers.push(store.dispose);
    const writer = new UsageWriter(store, createLogger('silent'), { batchSize: 2, maxQueued: 4, flushEveryMs: 60_000 });
    await rename(store, 'usage_logs', 'usage_logs_away');
    for (const id of ['a', 'b', 'c', 'd']) expect(writer.add(record(id))).toBeUndefined();
    await writer.flush();
    expect(writer.queued).toBe(4);
    let accepted = false;
    const waiting = writer.add(record('e'))!.then(() => {
      accepted = true;
    });
    expect(waiting).toBeInstanceOf(Promise);
    await writer.flush();
    expect(accepted).toBe(false);

    await rename(store, 'usage_logs_away', 'usage_logs');
    await writer.flush();
    await waiting;
    await writer.close();
    const rows = await store.db.selectFrom('usage_logs').select('request_id').orderBy('id').execute();
    expect(rows.map((r) => r.request_id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('close writes everything still queued', async () => {
    const store = await freshStore(engine);
    disposers.push(store.dispose);
    const writer = new UsageWriter(store, createLogger('silent'), { batchSize: 1000, flushEveryMs: 60_000 });
    for (let i = 0; i < 250; i++) writer.add(record(`r${i}`));
    await writer.close();
    const { n } = await store.db
      .selectFrom('usage_logs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(250);
  });
});
