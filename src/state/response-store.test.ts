import { describe, expect, test } from 'vitest';
import { MemoryResponseStore, type StoredResponse } from './response-store.ts';

const entry = (text: string): StoredResponse => ({
  messages: [{ role: 'user', content: text }],
  response: { id: text },
});

describe('in-process response store', () => {
  test('an entry is read back by its owner only, and deleted by its owner only', async () => {
    const store = new MemoryResponseStore();
    await store.put('alice', 'resp_1', entry('hi'));
    expect(await store.get('alice', 'resp_1')).toEqual(entry('hi'));
    expect(await store.get('bob', 'resp_1')).toBeUndefined();
    expect(await store.delete('bob', 'resp_1')).toBe(false);
    expect(await store.delete('alice', 'resp_1')).toBe(true);
    expect(await store.get('alice', 'resp_1')).toBeUndefined();
  });

  test('what was read cannot change what is stored', async () => {
    const store = new MemoryResponseStore();
    await store.put('a', 'r', entry('hi'));
    const read = await store.get('a', 'r');
    read?.messages.push({ role: 'assistant', content: 'changed' });
    expect((await store.get('a', 'r'))?.messages).toHaveLength(1);
  });

  test('past maxEntries the least recently used entry goes', async () => {
    const store = new MemoryResponseStore({ maxEntries: 2 });
    await store.put('a', 'r1', entry('1'));
    await store.put('a', 'r2', entry('2'));
    await store.get('a', 'r1');
    await store.put('a', 'r3', entry('3'));
    expect(await store.get('a', 'r2')).toBeUndefined();
    expect(await store.get('a', 'r1')).toBeDefined();
    expect(store.size).toBe(2);
  });

  test('past maxBytes old entries go; an entry larger than the limit is not kept', async () => {
    const size = JSON.stringify(entry('1')).length;
    const store = new MemoryResponseStore({ maxBytes: size * 2 });
    await store.put('a', 'r1', entry('1'));
    await store.put('a', 'r2', entry('2'));
    await store.put('a', 'r3', entry('3'));
    expect(await store.get('a', 'r1')).toBeUndefined();
    expect(store.bytes).toBe(size * 2);
    await store.put('a', 'big', entry('x'.repeat(size * 2)));
    expect(await store.get('a', 'big')).toBeUndefined();
  });

  test('an entry older than the TTL is gone', async () => {
    let now = 1_000;
    const store = new MemoryResponseStore({ ttlMs: 100 }, () => now);
    await store.put('a', 'r', entry('1'));
    now += 99;
    expect(await store.get('a', 'r')).toBeDefined();
    now += 1;
    expect(await store.get('a', 'r')).toBeUndefined();
    expect(store.bytes).toBe(0);
  });
});
