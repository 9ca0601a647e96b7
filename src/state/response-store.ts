/**
 * Stored Responses API answers, for `previous_response_id` and `GET`/`DELETE /v1/responses/{id}`: scoped to the client
 * that created them (another client's id reads as unknown). In-process here; a Redis implementation shares the interface.
 */
import type { Message } from '../core/types.ts';

export interface StoredResponse {
  /** The conversation up to and including this answer, without the request's instructions (they are not carried over). */
  messages: Message[];
  /** The response object as the client received it. */
  response: Record<string, unknown>;
}

export interface ResponseStore {
  get(owner: string, id: string): Promise<StoredResponse | undefined>;
  put(owner: string, id: string, value: StoredResponse): Promise<void>;
  /** True when there was such a response of this owner. */
  delete(owner: string, id: string): Promise<boolean>;
}

export interface MemoryStoreLimits {
  maxEntries: number;
  /** Of the stored JSON text. */
  maxBytes: number;
  ttlMs: number;
}

interface Entry {
  owner: string;
  json: string;
  expiresAt: number;
}

const DEFAULT_LIMITS: MemoryStoreLimits = { maxEntries: 10_000, maxBytes: 128 * 1024 * 1024, ttlMs: 24 * 3600_000 };

/** Least recently used entries go first when a limit is reached; expired ones whenever they are met. */
export class MemoryResponseStore implements ResponseStore {
  readonly #limits: MemoryStoreLimits;
  readonly #now: () => number;
  /** In use order: the first entry is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(limits: Partial<MemoryStoreLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  async get(owner: string, id: string): Promise<StoredResponse | undefined> {
    const entry = this.#entries.get(id);
    if (!entry || entry.owner !== owner) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(id, entry);
      return undefined;
    }
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return JSON.parse(entry.json) as StoredResponse;
  }

  async put(owner: string, id: string, value: StoredResponse): Promise<void> {
    const json = JSON.stringify(value);
    const old = this.#entries.get(id);
    if (old) this.#remove(id, old);
    // Stored as text: its length bounds the memory, and no caller can change an entry after the fact.
    if (json.length > this.#limits.maxBytes) return;
    this.#entries.set(id, { owner, json, expiresAt: this.#now() + this.#limits.ttlMs });
    this.#bytes += json.length;
    this.#evict();
  }

  async delete(owner: string, id: string): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (!entry || entry.owner !== owner) return false;
    this.#remove(id, entry);
    return entry.expiresAt > this.#now();
  }

  #remove(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#bytes -= entry.json.length;
  }

  #evict(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      const over = this.#entries.size > this.#limits.maxEntries || this.#bytes > this.#limits.maxBytes;
      if (!over && entry.expiresAt > now) break;
      this.#remove(id, entry);
    }
  }
}
