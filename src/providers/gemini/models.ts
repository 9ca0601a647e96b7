/**
 * The Gemini API's model list, `GET /v1beta/models` a page at a time (`nextPageToken`): the models that chat or embed,
 * named as requests name them (without the `models/` collection).
 */
import { z } from 'zod';
import { modelPage } from '../model-list.ts';
import type { ModelListing } from '../types.ts';
import { headers, versionedBase } from './request.ts';

/** The most models the API gives a page. */
const PAGE_SIZE = 1000;
/** The methods of the models this provider can use: chat (generateContent) and embeddings (embedContent). */
const SERVED = new Set(['generateContent', 'embedContent']);

const page = z.object({
  models: z
    .array(z.object({ name: z.string(), supportedGenerationMethods: z.array(z.string()).default([]) }))
    .default([]),
  nextPageToken: z.string().optional(),
});

export const geminiModelList: ModelListing = {
  request: (target, cursor) => {
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE), ...(cursor ? { pageToken: cursor } : {}) });
    return { url: `${versionedBase(target)}/models?${query}`, method: 'GET', headers: headers(target) };
  },
  parse: (body) => {
    const listed = modelPage(page, body);
    const models = listed.models
      .filter((m) => m.supportedGenerationMethods.some((method) => SERVED.has(method)))
      .map((m) => m.name.replace(/^models\//, ''));
    return { models, next: listed.nextPageToken || undefined };
  },
};
