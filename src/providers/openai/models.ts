/** OpenAI's model list, `GET {base}/models`, which the OpenAI-compatible servers and vendors serve too. */
import { z } from 'zod';
import { modelPage } from '../model-list.ts';
import type { ModelListing } from '../types.ts';
import { headers } from './request.ts';

const model = z.object({ id: z.string() });
// Together (and some self-hosted servers) answer with the bare array instead of OpenAI's list object.
const page = z.union([z.object({ data: z.array(model) }), z.array(model)]);

export const openaiModelList: ModelListing = {
  request: (target) => ({ url: `${target.baseUrl}/models`, method: 'GET', headers: headers(target) }),
  parse: (body) => {
    const listed = modelPage(page, body);
    return { models: (Array.isArray(listed) ? listed : listed.data).map((m) => m.id) };
  },
};
