import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NewUsageLog } from '../src/store/schema.ts';
import type { AdminClient } from './admin-client.ts';
import type { RunningGateway } from './harness.ts';
import { ENGINES } from './stores.ts';
import { gatewayWithUsers, insertLogs, usageLog } from './usage-logs.ts';

const START = Date.UTC(2026, 3, 1);
/** More rows than one page of the export reads at a time. */
const ALICE_ROWS = 2345;

/** Parses CSV as RFC 4180 writes it: quoted cells with doubled quotes, line breaks inside quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) throw new Error('the CSV does not end with CRLF');
  return rows;
}

describe.each(ENGINES)('usage logs export on %s', (engine) => {
  let gateway: RunningGateway;
  let root: AdminClient;
  let alice: AdminClient & { id: number };
  let bob: AdminClient & { id: number };
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ gateway, root, alice, bob, close } = await gatewayWithUsers(engine));
    const rows: NewUsageLog[] = [];
    for (let i = 0; i < ALICE_ROWS; i++) {
      rows.push(
        usageLog({
          user_id: alice.id,
          created_at: START + i * 1000,
          request_id: `alice-${i}`,
          model: i % 10 === 0 ? 'm-ten' : 'm1',
          status: i % 100 === 0 ? 502 : 200,
        }),
      );
    }
    rows.push(
      usageLog({
        user_id: alice.id,
        created_at: START + ALICE_ROWS * 1000,
        request_id: 'tricky',
        model: '=HYPERLINK("http://evil.example","click")',
        token_name: 'laptop, home',
        error: 'upstream said "no"\r\nand more',
        status: 500,
      }),
      usageLog({ user_id: bob.id, created_at: START, request_id: 'client-req', model: 'council' }),
      usageLog({
        user_id: bob.id,
        created_at: START + 1,
        request_id: 'member-1',
        parent_request_id: 'client-req',
        model: 'gpt-4o',
      }),
      usageLog({
        user_id: bob.id,
        created_at: START + 2,
        request_id: 'member-2',
        parent_request_id: 'client-req',
        model: 'claude',
      }),
    );
    await insertLogs(gateway.gw.store, rows);
  });
  afterAll(() => close());

  const download = async (client: AdminClient, query = '') => {
    const res = await fetch(`${gateway.url}/api/logs/export${query}`, { headers: { cookie: client.cookie ?? '' } });
    return { res, rows: res.status === 200 ? parseCsv(await res.text()) : [] };
  };

  test('a user downloads only their own logs as CSV, newest first, across many pages of the database', async () => {
    const { res, rows } = await download(alice, `?user_id=${bob.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="switchyard-logs-\d{8}-\d{6}\.csv"$/);
    const [header, ...logs] = rows;
    expect(header).toEqual([
      'time',
      'request_id',
      'parent_request_id',
      'user_id',
      'token_name',
      'channel',
      'model',
      'upstream_model',
      'prompt_tokens',
      'completion_tokens',
      'cached_tokens',
      'cost_usd',
      'quota',
      'latency_ms',
      'ttft_ms',
      'stream',
      'status',
      'error',
      'ip',
    ]);
    expect(logs).toHaveLength(ALICE_ROWS + 1);
    expect(new Set(logs.map((l) => l[3]))).toEqual(new Set([String(alice.id)]));
    const times = logs.map((l) => Date.parse(l[0]!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(logs.at(-1)![0]).toBe(new Date(START).toISOString());
    expect(logs.at(-1)![1]).toBe('alice-0');
  });

  test('cells are quoted per RFC 4180 and a would-be formula starts with a single quote', async () => {
    const { rows } = await download(alice, '?request_id=tricky');
    expect(rows).toHaveLength(2);
    const [header, tricky] = rows as [string[], string[]];
    const cell = (name: string) => tricky[header.indexOf(name)];
    expect(cell('model')).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(cell('token_name')).toBe('laptop, home');
    expect(cell('error')).toBe('upstream said "no"\r\nand more');
    expect(cell('status')).toBe('500');
    expect(cell('parent_request_id')).toBe('');
  });

  test('the export takes the list’s filters: it holds exactly the rows /api/logs counts', async () => {
    for (const query of [
      '?model=m-ten',
      '?errors_only=true',
      `?from=${START + 1000 * 1000}&to=${START + 1500 * 1000}`,
    ]) {
      const listed = await alice.call<{ total: number }>('GET', `/api/logs${query}`);
      const { rows } = await download(alice, query);
      expect(rows.length - 1).toBe(listed.body.total);
      expect(listed.body.total).toBeGreaterThan(0);
    }
    const everyone = await download(root);
    expect(everyone.rows.length - 1).toBe(ALICE_ROWS + 4);
  });

  test('a virtual model’s calls name the client’s request, and the list filters by it', async () => {
    const children = await root.call<{ items: { request_id: string; parent_request_id: string | null }[] }>(
      'GET',
      '/api/logs?parent_request_id=client-req',
    );
    expect(children.body.items.map((l) => [l.request_id, l.parent_request_id])).toEqual([
      ['member-2', 'client-req'],
      ['member-1', 'client-req'],
    ]);
    const parent = await bob.call<{ items: { parent_request_id: string | null }[] }>(
      'GET',
      '/api/logs?request_id=client-req',
    );
    expect(parent.body.items).toEqual([expect.objectContaining({ parent_request_id: null })]);
    expect((await alice.call<{ total: number }>('GET', '/api/logs?parent_request_id=client-req')).body.total).toBe(0);
    const exported = await download(bob, '?parent_request_id=client-req');
    expect(exported.rows.slice(1).map((r) => [r[1], r[2]])).toEqual([
      ['member-2', 'client-req'],
      ['member-1', 'client-req'],
    ]);
  });

  test('the OpenAPI document describes the export as CSV', async () => {
    const doc = (await (await fetch(`${gateway.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, unknown> }> }>>;
    };
    const exportRoute = doc.paths['/api/logs/export']?.get;
    expect(Object.keys(exportRoute?.responses['200']?.content ?? {})).toEqual(['text/csv']);
    expect(doc.paths['/api/stats/latency']?.get).toBeDefined();
  });
});
