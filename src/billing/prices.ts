/**
 * The price of a model: prices set in the admin API (database) over the config file's `prices` over the built-in
 * table. Lookups are synchronous (hot path): the exact name, else the longest priced name the model starts with at a
 * `-`, `:` or `@` boundary (`gpt-4o-2024-08-06` is priced as `gpt-4o`, `gpt-4o-mini` as itself), after a vendor
 * prefix such as `openai/` or `models/` is dropped. Database prices are re-read when changed here, and otherwise
 * every few seconds so that another instance's edit takes effect.
 */
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/db.ts';
import type { Price } from './cost.ts';
import { BUILTIN_PRICES } from './price-table.ts';

export type PriceSource = 'database' | 'config' | 'builtin';

export interface ModelPrice extends Price {
  source: PriceSource;
}

/** How old the database prices may get before a lookup triggers a re-read (in the background). */
const REFRESH_MS = 10_000;
const CACHE_MAX = 10_000;

export class PriceBook {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly fixed: Map<string, ModelPrice>;
  private table = new Map<string, ModelPrice>();
  /** Priced names, longest first, for the prefix rule. */
  private names: string[] = [];
  private readonly cache = new Map<string, ModelPrice | null>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  private constructor(store: Store, log: Logger, configPrices: Config['prices']) {
    this.store = store;
    this.log = log;
    this.fixed = new Map();
    for (const [model, [input, output, cachedInput, cacheWrite]] of Object.entries(BUILTIN_PRICES)) {
      this.fixed.set(model, { input, output, cachedInput, cacheWrite, source: 'builtin' });
    }
    for (const [model, p] of Object.entries(configPrices)) {
      this.fixed.set(model, {
        input: p.input,
        output: p.output,
        cachedInput: p.cached_input,
        cacheWrite: p.cache_write,
        source: 'config',
      });
    }
  }

  static async load(store: Store, log: Logger, configPrices: Config['prices']): Promise<PriceBook> {
    const book = new PriceBook(store, log, configPrices);
    await book.reload();
    return book;
  }

  /** Reads the database's prices again (after an admin change, or when they got old). */
  async reload(): Promise<void> {
    const rows = await this.store.db.selectFrom('prices').selectAll().execute();
    const table = new Map(this.fixed);
    for (const row of rows) {
      table.set(row.model, {
        input: row.input,
        output: row.output,
        cachedInput: row.cached_input ?? undefined,
        cacheWrite: row.cache_write ?? undefined,
        source: 'database',
      });
    }
    this.table = table;
    this.names = [...table.keys()].sort((a, b) => b.length - a.length);
    this.cache.clear();
    this.loadedAt = Date.now();
  }

  of(model: string): ModelPrice | undefined {
    if (Date.now() - this.loadedAt > REFRESH_MS && !this.loading) {
      this.loading = this.reload()
        .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'reading prices failed'))
        .finally(() => {
          this.loading = undefined;
        });
    }
    const cached = this.cache.get(model);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.find(model);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(model, found ?? null);
    return found;
  }

  /** Every priced model, each with its effective price and where it comes from. */
  list(): [string, ModelPrice][] {
    return [...this.table].sort(([a], [b]) => a.localeCompare(b));
  }

  private find(model: string): ModelPrice | undefined {
    const exact = this.table.get(model);
    if (exact) return exact;
    const bare = model.replace(/^(models|[\w.-]+)\//, '').toLowerCase();
    const direct = this.table.get(bare);
    if (direct) return direct;
    for (const name of this.names) {
      if (bare.length > name.length && bare.startsWith(name) && '-:@'.includes(bare[name.length]!)) {
        return this.table.get(name);
      }
    }
    return undefined;
  }
}
