import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bodyOf, chatRequest } from '../../../test/provider-tests.ts';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import type { Target } from '../types.ts';
import { vertex } from './index.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY = JSON.stringify({
  type: 'service_account',
  project_id: 'sa-project',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
  client_email: 'vx@sa-project.iam.gserviceaccount.com',
});

function target(extra: Partial<ProviderConfig> = {}, upstreamModel = 'gemini-2.5-pro'): Target {
  const provider = providerSchema.parse({ name: 'vx', type: 'vertex', keys: [KEY], ...extra });
  const baseUrl = provider.base_url ?? vertex.baseUrlFor!(provider)!;
  return { baseUrl, key: KEY, upstreamModel, provider };
}

describe('vertex requests', () => {
  test("the regional endpoint and path of the key's project, us-central1 by default", () => {
    const call = vertex.chat.encode(chatRequest(), target());
    expect(call.url).toBe(
      'https://us-central1-aiplatform.googleapis.com/v1/projects/sa-project/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent',
    );
    expect(call.headers).toEqual({ 'content-type': 'application/json' });
    expect(bodyOf(call)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  });

  test('project and region from config; the global location has no region prefix; streams ask for SSE', () => {
    const call = vertex.chat.encode(
      chatRequest({ stream: true }),
      target({ project: 'other-project', region: 'global', api_version: 'v1beta1' }),
    );
    expect(call.url).toBe(
      'https://aiplatform.googleapis.com/v1beta1/projects/other-project/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    );
    expect(vertex.baseUrlFor!(providerSchema.parse({ name: 'v', type: 'vertex', region: 'europe-west4' }))).toBe(
      'https://europe-west4-aiplatform.googleapis.com',
    );
  });

  test('embeddings go to :predict, one instance per text, and come back with token counts', () => {
    const call = vertex.embeddings!.encode(
      { model: 'x', input: ['What is life?', 'Why?'], dimensions: 4 },
      target({}, 'text-embedding-005'),
    );
    expect(call.url).toMatch(/\/publishers\/google\/models\/text-embedding-005:predict$/);
    expect(bodyOf(call)).toEqual({
      instances: [{ content: 'What is life?' }, { content: 'Why?' }],
      parameters: { outputDimensionality: 4 },
    });
    const res = vertex.embeddings!.decode(
      readFileSync(new URL('./fixtures/predict.response.json', import.meta.url), 'utf8'),
      target({}, 'text-embedding-005'),
    );
    expect(res.data).toEqual([
      [0.0062, -0.0412, 0.0319, 0.0183],
      [-0.0152, 0.0299, -0.0087, 0.054],
    ]);
    expect(res.usage).toEqual({ promptTokens: 10, completionTokens: 0, totalTokens: 10 });
  });

  test("Vertex's 401 for an expired token reads as Google's message", () => {
    expect(
      vertex.errorMessage(401, readFileSync(new URL('./fixtures/unauthenticated.error.json', import.meta.url), 'utf8')),
    ).toMatch(/^Request had invalid authentication credentials/);
  });
});
