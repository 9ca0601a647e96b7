/** The models an Ollama server has pulled: `GET /api/tags`. */
import { z } from 'zod';
import { modelPage } from '../model-list.ts';
import type { ModelListing } from '../types.ts';
import { apiUrl, headers } from './request.ts';

const page = z.object({ models: z.array(z.object({ name: z.string() })) });

export const ollamaModelList: ModelListing = {
  request: (target) => ({ url: apiUrl(target, '/api/tags'), method: 'GET', headers: headers(target) }),
  parse: (body) => ({ models: modelPage(page, body).models.map((m) => m.name) }),
};
