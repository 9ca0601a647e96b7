/**
 * Responses API answers in Redis, so that `previous_response_id` works whichever instance the next turn reaches;
 * while Redis is away, answers are kept (and looked for) in this process as well.
 */

import type { SharedRedis } from './redis.ts';
import { MemoryResponseStore, type ResponseStore, type StoredResponse } from './response-store.ts';

const TTL_MS = 24 * 3600_000;
/** Larger answers are not stored (as in the in-process store's byte limit). */
const MAX_BYTES = 8 * 1024 * 1024;

interface Entry {
  owner: string;
  value: StoredResponse;
}

export class RedisResponseStore implements ResponseStore {
  private readonly redis: SharedRedis;
  private readonly local = new MemoryResponseStore();

  constructor(redis: SharedRedis) {
    this.redis = redis;
  }

  private key(id: string): string {
    return this.redis.key(`resp:${id}`);
  }

  async get(owner: string, id: string): Promise<StoredResponse | undefined> {
    const text = await this.redis.attempt('responses', () => this.redis.client.get(this.key(id)));
    if (!text) return this.local.get(owner, id);
    const entry = JSON.parse(text) as Entry;
    return entry.owner === owner ? entry.value : undefined;
  }

  async put(owner: string, id: string, value: StoredResponse): Promise<void> {
    const text = JSON.stringify({ owner, value } satisfies Entry);
    if (text.length > MAX_BYTES) return;
    const stored = await this.redis.attempt('responses', () => this.redis.client.set(this.key(id), text, 'PX', TTL_MS));
    if (stored === undefined) await this.local.put(owner, id, value);
  }

  async delete(owner: string, id: string): Promise<boolean> {
    const text = await this.redis.attempt('responses', () => this.redis.client.get(this.key(id)));
    if (!text) return this.local.delete(owner, id);
    if ((JSON.parse(text) as Entry).owner !== owner) return false;
    await this.redis.attempt('responses', () => this.redis.client.del(this.key(id)));
    return true;
  }
}
