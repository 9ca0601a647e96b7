import { afterAll, describe, expect, test } from 'vitest';
import { ENGINES, freshStore } from '../../test/stores.ts';
import { createLogger } from '../log.ts';
import { PriceBook } from './prices.ts';

describe.each(ENGINES)('prices on %s', (engine) => {
  const disposers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const dispose of disposers) await dispose();
  });

  test('a dated or vendor-prefixed name takes the longest priced name it starts with', async () => {
    const store = await freshStore(engine);
    disposers.push(store.dispose);
    const book = await PriceBook.load(store, createLogger('silent'), {});
    expect(book.of('gpt-4o')).toMatchObject({ input: 2.5, output: 10, source: 'builtin' });
    expect(book.of('gpt-4o-mini')).toMatchObject({ input: 0.15 });
    expect(book.of('gpt-4o-2024-08-06')).toMatchObject({ input: 2.5 });
    expect(book.of('gpt-4o-mini-2024-07-18')).toMatchObject({ input: 0.15 });
    expect(book.of('openai/gpt-4o-mini')).toMatchObject({ input: 0.15 });
    expect(book.of('models/gemini-2.5-flash')).toMatchObject({ input: 0.3 });
    expect(book.of('claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, cachedInput: 0.3 });
    expect(book.of('gpt-4.5-preview')).toBeUndefined();
    expect(book.of('my-own-model')).toBeUndefined();
  });

  test('database prices win over the config file, which wins over the built-in table', async () => {
    const store = await freshStore(engine);
    disposers.push(store.dispose);
    const book = await PriceBook.load(store, createLogger('silent'), {
      'gpt-4o': { input: 1, output: 2 },
      'house-model': { input: 3, output: 4, cached_input: 1 },
    });
    expect(book.of('gpt-4o')).toMatchObject({ input: 1, output: 2, source: 'config' });
    expect(book.of('house-model-v2')).toMatchObject({ input: 3, cachedInput: 1, source: 'config' });
    await store.db
      .insertInto('prices')
      .values({ model: 'gpt-4o', input: 7, output: 8, cached_input: null, updated_at: Date.now() })
      .execute();
    await book.reload();
    expect(book.of('gpt-4o-2024-11-20')).toMatchObject({ input: 7, output: 8, source: 'database' });
    await store.db.deleteFrom('prices').execute();
    await book.reload();
    expect(book.of('gpt-4o')).toMatchObject({ source: 'config' });
  });
});
