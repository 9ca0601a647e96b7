/** Anthropic's Models API: `GET /v1/models`, a page at a time (`has_more`, the next page `after_id` the last one). */
import { z } from 'zod';
import { modelPage } from '../model-list.ts';
import type { ModelListing } from '../types.ts';
import { apiUrl, headers } from './request.ts';

/** The most models the API gives a page. */
const PAGE_SIZE = 1000;

const page = z.object({
  data: z.array(z.object({ id: z.string() })),
  has_more: z.boolean(),
  last_id: z.string().nullable(),
});

export const anthropicModelList: ModelListing = {
  request: (target, cursor) => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(cursor ? { after_id: cursor } : {}) });
    return { url: `${apiUrl(target, 'models')}?${query}`, method: 'GET', headers: headers(target) };
  },
  parse: (body) => {
    const listed = modelPage(page, body);
    return {
      models: listed.data.map((m) => m.id),
      next: listed.has_more && listed.last_id ? listed.last_id : undefined,
    };
  },
};
