import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Engine, openStore } from '../src/store/db.ts';
import { AdminClient } from './admin-client.ts';
import { oneApiSchema } from './fixtures/one-api-schema.ts';
import { type RunningGateway, startGateway, TEST_SECRET } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './stores.ts';

const BIN = new URL('../bin/switchyard.js', import.meta.url).pathname;
const ALICE_KEY = 'aliceKey0123456789aliceKey0123456789aliceKey0123';
const UPSTREAM_KEYS = ['sk-up-one-000000000000', 'sk-up-two-000000000000'];

/** A one-api database with a root, an admin, a user, their tokens, three kinds of channel, ratios and a code. */
async function oneApiDatabase(engine: Engine, upstreamUrl: string): Promise<TestDatabase> {
  const database = await createTestDatabase(engine);
  const store = await openStore(database.url);
  for (const ddl of oneApiSchema(engine)) await sql.raw(ddl).execute(store.db);
  const q = (name: string) => (engine === 'mysql' ? `\`${name}\`` : `"${name}"`);
  const t = engine === 'postgres' ? 'true' : '1';
  const f = engine === 'postgres' ? 'false' : '0';
  const hash = (pw: string) => bcrypt.hashSync(pw, 4).replace(/'/g, "''");
  const now = 1_760_000_000;
  const statements = [
    `insert into users (id, username, password, display_name, role, status, quota, used_quota, request_count, ${q('group')}, aff_code)
     values (1, 'root', '${hash('one-api-root-pw')}', 'Root User', 100, 1, 500000000, 10, 3, 'default', 'a1'),
            (2, 'ops', '${hash('ops-password')}', 'Ops', 10, 1, 1000000, 0, 0, 'default', 'a2'),
            (3, 'alice', '${hash('alice-password')}', 'Alice', 1, 1, 2500000, 500000, 12, 'vip', 'a3')`,
    `insert into tokens (user_id, ${q('key')}, status, name, created_time, accessed_time, expired_time, remain_quota, unlimited_quota, used_quota, models, subnet)
     values (3, '${ALICE_KEY}', 1, 'alice laptop', ${now}, ${now}, -1, 1000000, ${f}, 20, '', ''),
            (3, 'aliceOld0123456789aliceOld0123456789aliceOld0123', 2, 'old', ${now}, ${now}, ${now}, 0, ${f}, 0, '', ''),
            (1, 'rootKey00123456789rootKey00123456789rootKey00123', 1, 'root key', ${now}, ${now}, -1, 0, ${t}, 0, 'gpt-4o-mini', '10.0.0.0/8')`,
    `insert into channels (type, ${q('key')}, status, name, weight, created_time, base_url, other, models, ${q('group')}, model_mapping, priority, config)
     values (1, '${UPSTREAM_KEYS.join('\n')}', 1, 'main openai', 1, ${now}, '${upstreamUrl}', '', 'gpt-4o-mini,gpt-4o', 'default,vip', '{"gpt-4o":"gpt-4o-mini"}', 5, ''),
            (3, 'azure-key', 1, 'azure', 1, ${now}, 'https://res.openai.azure.com', '2024-10-21', 'gpt-4o', 'default', '', 0, ''),
            (11, 'palm-key', 1, 'palm', 1, ${now}, '', '', 'chat-bison', 'default', '', 0, '')`,
    `insert into options (${q('key')}, value) values
       ('ModelRatio', '{"gpt-4o-mini":0.075,"house-model":1.5}'),
       ('CompletionRatio', '{"gpt-4o-mini":4}'),
       ('GroupRatio', '{"default":1,"vip":0.8}')`,
    `insert into redemptions (user_id, ${q('key')}, status, name, quota, created_time, redeemed_time)
     values (1, 'code0123456789code0123456789abcd', 1, 'promo', 250000, ${now}, 0)`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(store.db);
  await store.close();
  return database;
}

function runImport(dsn: string, target: string, ...extra: string[]) {
  const run = spawnSync(process.execPath, [BIN, 'import', 'one-api', '--dsn', dsn, ...extra], {
    encoding: 'utf8',
    env: {
      ...process.env,
      DATABASE_URL: target,
      SWITCHYARD_SECRET: TEST_SECRET,
      SWITCHYARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'sy-import-')),
    },
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

/** one-api's own MySQL DSN form, which SQL_DSN users have. */
function goDsn(url: string): string {
  const u = new URL(url);
  return `${u.username}:${u.password}@tcp(${u.host})${u.pathname}`;
}

describe.each(ENGINES)('switchyard import one-api on %s', (engine) => {
  let mock: MockUpstream;
  let source: TestDatabase;
  let target: TestDatabase;
  let gateway: RunningGateway;
  let firstRun: ReturnType<typeof runImport>;

  beforeAll(async () => {
    mock = await startMockUpstream({ keys: UPSTREAM_KEYS });
    source = await oneApiDatabase(engine, `${mock.url}`);
    target = await createTestDatabase(engine);
    firstRun = runImport(engine === 'mysql' ? goDsn(source.url) : source.url, target.url);
    gateway = await startGateway({ auth: { keys: [] } }, { databaseUrl: target.url });
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
    await source.drop();
    await target.drop();
  });

  test('the summary counts what was made and names what was left out, without keys or passwords', () => {
    expect(firstRun.err).toBe('');
    expect(firstRun.code).toBe(0);
    expect(firstRun.out).toMatch(/users: 3 created/);
    expect(firstRun.out).toMatch(/tokens: 3 created/);
    expect(firstRun.out).toMatch(/channels: 2 created, 1 already there or skipped/);
    expect(firstRun.out).toMatch(/prices: 2 created/);
    expect(firstRun.out).toMatch(/channel 'palm': channel type 11 has no Switchyard provider/);
    for (const secret of [ALICE_KEY, ...UPSTREAM_KEYS, 'alice-password']) expect(firstRun.out).not.toContain(secret);
  });

  test("users log in with their one-api passwords; one-api's root is root here", async () => {
    const root = new AdminClient(gateway.url);
    expect((await root.login('root', 'one-api-root-pw')).body).toMatchObject({ role: 'root', used_usd: 0.00002 });
    const alice = new AdminClient(gateway.url);
    expect((await alice.login('alice', 'alice-password')).body).toMatchObject({
      role: 'user',
      group: 'vip',
      quota_usd: 5,
      request_count: 12,
    });
    expect((await new AdminClient(gateway.url).login('ops', 'ops-password')).body).toMatchObject({ role: 'admin' });
  });

  test("an imported token works as sk-<key> through the imported channel, with one-api's model mapping", async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer sk-${ALICE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(mock.requests.at(-1)).toMatchObject({ model: 'gpt-4o-mini' });
    expect(UPSTREAM_KEYS).toContain(mock.requests.at(-1)?.key);
    const disabled = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk-aliceOld0123456789aliceOld0123456789aliceOld0123',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(disabled.status).toBe(401);
  });

  test('channels, prices, groups and codes carry over; keys are sealed', async () => {
    const { db } = gateway.gw.store;
    const channels = await db.selectFrom('channels').selectAll().orderBy('id').execute();
    expect(channels.map((c) => [c.name, c.type, c.groups])).toEqual([
      ['main-openai', 'openai', 'default,vip'],
      ['azure', 'azure', 'default'],
    ]);
    expect(JSON.parse(channels[0]!.settings)).toMatchObject({
      base_url: `${mock.url}/v1`,
      priority: -5,
      model_map: { 'gpt-4o': 'gpt-4o-mini' },
    });
    expect(JSON.parse(channels[1]!.settings)).toMatchObject({ api_version: '2024-10-21' });
    expect(channels[0]!.keys_sealed).not.toContain(UPSTREAM_KEYS[0]);
    expect(gateway.gw.prices.of('gpt-4o-mini')).toMatchObject({ input: 0.15, output: 0.6, source: 'database' });
    expect(gateway.gw.prices.of('house-model')).toMatchObject({ input: 3, output: 3 });
    const vip = await db.selectFrom('groups').selectAll().where('name', '=', 'vip').executeTakeFirstOrThrow();
    expect(vip.ratio).toBe(0.8);
    const rootToken = await db
      .selectFrom('tokens')
      .selectAll()
      .where('name', '=', 'root key')
      .executeTakeFirstOrThrow();
    expect([rootToken.unlimited_quota, rootToken.models, rootToken.allow_ips]).toEqual([
      1,
      '["gpt-4o-mini"]',
      '["10.0.0.0/8"]',
    ]);
    const alice = new AdminClient(gateway.url);
    await alice.login('alice', 'alice-password');
    const redeemed = await alice.call('POST', '/api/redemptions/redeem', { code: 'code0123456789code0123456789abcd' });
    expect(redeemed.body).toMatchObject({ added_usd: 0.5 });
  });

  test('--dry-run counts what it would import and writes nothing', async () => {
    const fresh = await createTestDatabase(engine);
    try {
      const dry = runImport(source.url, fresh.url, '--dry-run');
      expect(dry.out).toMatch(/would import/);
      expect(dry.out).toMatch(/users: 3 created/);
      const store = await openStore(fresh.url);
      const users = await store.db.selectFrom('users').select('id').execute();
      await store.close();
      expect(users).toEqual([]);
    } finally {
      await fresh.drop();
    }
  });

  test('a second import creates nothing new', () => {
    const again = runImport(source.url, target.url);
    expect(again.code).toBe(0);
    for (const kind of ['groups', 'users', 'tokens', 'channels', 'prices', 'redemptions']) {
      expect(again.out).toMatch(new RegExp(`${kind}: 0 created`));
    }
  });
});

test('switchyard migrate applies the schema once, then says it is up to date; a bad database is exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-migrate-'));
  const env = { ...process.env, SWITCHYARD_DATA_DIR: dir, DATABASE_URL: '', SQL_DSN: '' };
  const first = spawnSync(process.execPath, [BIN, 'migrate'], { encoding: 'utf8', env });
  expect(first.status).toBe(0);
  expect(first.stdout).toMatch(/\(sqlite\): applied 001-initial/);
  const second = spawnSync(process.execPath, [BIN, 'migrate'], { encoding: 'utf8', env });
  expect(second.stdout).toMatch(/up to date/);
  const bad = spawnSync(process.execPath, [BIN, 'migrate'], {
    encoding: 'utf8',
    env: { ...env, DATABASE_URL: 'postgres://someone:hunter2-secret@127.0.0.1:1/nowhere' },
  });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/migrate failed/);
  expect(bad.stderr).not.toContain('hunter2-secret');
});
