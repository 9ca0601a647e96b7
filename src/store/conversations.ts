/**
 * Server-side conversations: the messages of each `conversation_id`, per owner (an API token), in the database, with
 * each conversation's history cached in Redis when there is one.
 */
import { sql } from 'kysely';
import type { Message } from '../core/types.ts';
import type { SharedRedis } from '../state/redis.ts';
import type { Store } from './db.ts';

export interface ConversationSummary {
  id: string;
  model: string;
  messages: number;
  created_at: number;
  updated_at: number;
}

const CACHE_TTL_MS = 3600_000;
/** A conversation's first turn made twice at once: the loser of the insert tries again (and appends after it). */
const APPEND_TRIES = 5;

export class Conversations {
  private readonly store: Store;
  private readonly redis: SharedRedis | undefined;

  constructor(store: Store, redis?: SharedRedis) {
    this.store = store;
    this.redis = redis;
  }

  private cacheKey(owner: string, id: string): string | undefined {
    return this.redis?.key(`conv:${owner}:${id}`);
  }

  /** The conversation's messages in order, or undefined when the owner has no such conversation. */
  async history(owner: string, id: string): Promise<Message[] | undefined> {
    const key = this.cacheKey(owner, id);
    if (key) {
      const cached = await this.redis!.attempt('conversations', () => this.redis!.client.get(key));
      if (cached) return JSON.parse(cached) as Message[];
    }
    const exists = await this.summary(owner, id);
    if (!exists) return undefined;
    const rows = await this.store.db
      .selectFrom('conversation_messages')
      .select('message')
      .where('owner', '=', owner)
      .where('conversation_id', '=', id)
      .orderBy('seq')
      .execute();
    const messages = rows.map((r) => JSON.parse(r.message) as Message);
    if (key) {
      const text = JSON.stringify(messages);
      await this.redis!.attempt('conversations', () => this.redis!.client.set(key, text, 'PX', CACHE_TTL_MS));
    }
    return messages;
  }

  async summary(owner: string, id: string): Promise<ConversationSummary | undefined> {
    const row = await this.store.db
      .selectFrom('conversations')
      .selectAll()
      .where('owner', '=', owner)
      .where('conversation_id', '=', id)
      .executeTakeFirst();
    return row && summaryOf(row);
  }

  /** Adds messages at the conversation's end (making the conversation on its first turn). */
  async append(owner: string, id: string, model: string, messages: Message[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.db.transaction().execute(async (trx) => {
          const now = Date.now();
          // Counting up first locks the conversation's row: turns of one conversation append one after another.
          const counted = await trx
            .updateTable('conversations')
            .set({ model, messages: sql`messages + ${messages.length}`, updated_at: now })
            .where('owner', '=', owner)
            .where('conversation_id', '=', id)
            .executeTakeFirst();
          let start = 0;
          if (Number(counted.numUpdatedRows) > 0) {
            const row = await trx
              .selectFrom('conversations')
              .select('messages')
              .where('owner', '=', owner)
              .where('conversation_id', '=', id)
              .executeTakeFirstOrThrow();
            start = Number(row.messages) - messages.length;
          } else {
            await trx
              .insertInto('conversations')
              .values({
                owner,
                conversation_id: id,
                model,
                messages: messages.length,
                created_at: now,
                updated_at: now,
              })
              .execute();
          }
          await trx
            .insertInto('conversation_messages')
            .values(
              messages.map((m, i) => ({
                owner,
                conversation_id: id,
                seq: start + i,
                message: JSON.stringify(m),
                created_at: now,
              })),
            )
            .execute();
        });
        break;
      } catch (err) {
        // Another turn of the same conversation took these sequence numbers (or made the row) first.
        if (attempt >= APPEND_TRIES) throw err;
      }
    }
    await this.forgetCached(owner, id);
  }

  /** The owner's conversations, most recently used first. */
  async list(owner: string, limit: number, before?: number): Promise<ConversationSummary[]> {
    let query = this.store.db.selectFrom('conversations').selectAll().where('owner', '=', owner);
    if (before !== undefined) query = query.where('updated_at', '<', before);
    const rows = await query.orderBy('updated_at', 'desc').limit(limit).execute();
    return rows.map(summaryOf);
  }

  /** True when the owner had this conversation. */
  async delete(owner: string, id: string): Promise<boolean> {
    const deleted = await this.store.db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom('conversations')
        .where('owner', '=', owner)
        .where('conversation_id', '=', id)
        .executeTakeFirst();
      await trx
        .deleteFrom('conversation_messages')
        .where('owner', '=', owner)
        .where('conversation_id', '=', id)
        .execute();
      return Number(result.numDeletedRows) > 0;
    });
    await this.forgetCached(owner, id);
    return deleted;
  }

  private async forgetCached(owner: string, id: string): Promise<void> {
    const key = this.cacheKey(owner, id);
    if (key) await this.redis!.attempt('conversations', () => this.redis!.client.del(key));
  }
}

function summaryOf(row: {
  conversation_id: string;
  model: string;
  messages: number;
  created_at: number;
  updated_at: number;
}): ConversationSummary {
  return {
    id: row.conversation_id,
    model: row.model,
    messages: Number(row.messages),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}
