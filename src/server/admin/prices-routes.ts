/** Model prices: everyone may read them; admins set a model's price (over the config and built-in ones) or drop it. */
import { z } from 'zod';
import { type AdminRoute, notFound, route } from './api.ts';

export const priceShape = z.object({
  model: z.string(),
  input: z.number().describe('USD per 1M input tokens'),
  output: z.number().describe('USD per 1M output tokens'),
  cached_input: z.number().nullable().describe('USD per 1M cached input tokens; null: the input price'),
  cache_write: z
    .number()
    .nullable()
    .describe('USD per 1M input tokens written to the prompt cache; null: the input price'),
  source: z.enum(['database', 'config', 'builtin']),
});

/** A model name as one path segment: names with `/` or `:` arrive URL-encoded. */
const modelParams = z.object({ model: z.string().min(1).max(191) });

const listPrices = route({
  method: 'GET',
  url: '/api/prices',
  tag: 'prices',
  summary: 'Every priced model with its price and where the price comes from',
  access: 'user',
  response: z.array(priceShape),
  handler: async ({ gw }) =>
    gw.prices.list().map(([model, p]) => ({
      model,
      input: p.input,
      output: p.output,
      cached_input: p.cachedInput ?? null,
      cache_write: p.cacheWrite ?? null,
      source: p.source,
    })),
});

const setPrice = route({
  method: 'PUT',
  url: '/api/prices/:model',
  tag: 'prices',
  summary: 'Set a model’s price (USD per 1M tokens); it wins over the config file and the built-in table',
  access: 'admin',
  params: modelParams,
  body: z
    .object({
      input: z.number().min(0).max(1e6),
      output: z.number().min(0).max(1e6),
      cached_input: z.number().min(0).max(1e6).nullable().optional(),
      cache_write: z.number().min(0).max(1e6).nullable().optional(),
    })
    .strict(),
  response: priceShape,
  handler: async ({ gw, params, body }) => {
    const row = {
      model: params.model,
      input: body.input,
      output: body.output,
      cached_input: body.cached_input ?? null,
      cache_write: body.cache_write ?? null,
      updated_at: Date.now(),
    };
    await gw.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('prices').where('model', '=', params.model).execute();
      await trx.insertInto('prices').values(row).execute();
    });
    await gw.pricesChanged();
    return {
      model: row.model,
      input: row.input,
      output: row.output,
      cached_input: row.cached_input,
      cache_write: row.cache_write,
      source: 'database' as const,
    };
  },
});

const deletePrice = route({
  method: 'DELETE',
  url: '/api/prices/:model',
  tag: 'prices',
  summary: 'Drop the price set here: the config file’s or the built-in price applies again',
  access: 'admin',
  params: modelParams,
  response: z.object({ ok: z.literal(true) }),
  handler: async ({ gw, params }) => {
    const result = await gw.store.db.deleteFrom('prices').where('model', '=', params.model).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('price');
    await gw.pricesChanged();
    return { ok: true as const };
  },
});

export const PRICE_ROUTES: readonly AdminRoute[] = [listPrices, setPrice, deletePrice];
