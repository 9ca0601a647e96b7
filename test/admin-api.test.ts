import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningGateway, startGateway } from './harness.ts';

describe('admin API basics', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway({});
  });
  afterAll(() => gateway.close());

  test('the OpenAPI document describes every admin route, and /api/status answers without login', async () => {
    const status = await fetch(`${gateway.url}/api/status`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ name: 'switchyard' });
    const doc = (await (await fetch(`${gateway.url}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/status']?.get?.responses['200']).toBeDefined();
  });
});
