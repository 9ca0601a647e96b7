import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AdminClient } from './admin-client.ts';
import { ROOT_PASSWORD, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './stores.ts';

describe.each(ENGINES)('accounts, sessions and tokens on %s', (engine) => {
  let mock: MockUpstream;
  let database: TestDatabase;
  let gateway: RunningGateway;
  let root: AdminClient;

  beforeAll(async () => {
    mock = await startMockUpstream();
    database = await createTestDatabase(engine);
    gateway = await startGateway(
      {
        auth: { keys: ['sk-from-config'] },
        providers: [{ name: 'mock', type: 'openai', base_url: `${mock.url}/v1`, models: ['gpt-4o-mini', 'other'] }],
      },
      { databaseUrl: database.url },
    );
    root = await AdminClient.root(gateway.url);
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
    await database.drop();
  });

  const chat = (key: string, model = 'gpt-4o-mini') =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });

  test('login sets an httpOnly SameSite=Strict cookie that works; a wrong password is 401 without saying which part', async () => {
    const client = new AdminClient(gateway.url);
    const ok = await client.login('root', ROOT_PASSWORD);
    expect(ok.status).toBe(200);
    // SWITCHYARD_ADMIN_PASSWORD was given: no password went through the log, so none has to be changed.
    expect(ok.body).toMatchObject({ username: 'root', role: 'root', must_change_password: false });
    expect(JSON.stringify(ok.body)).not.toMatch(/scrypt|password_hash|"password"/);
    expect(JSON.stringify(ok.body)).not.toContain(ROOT_PASSWORD);
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await client.call('GET', '/api/auth/self')).body).toMatchObject({ username: 'root' });
    const wrong = await new AdminClient(gateway.url).login('root', 'not-the-password');
    const nobody = await new AdminClient(gateway.url).login('nobody', 'not-the-password');
    expect([wrong.status, nobody.status]).toEqual([401, 401]);
    expect((wrong.body as { error: { message: string } }).error.message).toBe(
      (nobody.body as { error: { message: string } }).error.message,
    );
    expect((await new AdminClient(gateway.url).call('GET', '/api/auth/self')).status).toBe(401);
  });

  test('behind TLS (X-Forwarded-Proto: https) the session cookie is Secure', async () => {
    const res = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: 'root', password: ROOT_PASSWORD }),
    });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  test('after 10 failed logins the account is refused from that address with 429, even with the right password', async () => {
    const user = await root.newUser(`guessed-${engine}`);
    const attacker = new AdminClient(gateway.url);
    for (let i = 0; i < 10; i++) expect((await attacker.login(`guessed-${engine}`, `wrong-${i}`)).status).toBe(401);
    const locked = await attacker.login(`guessed-${engine}`, 'password-123');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await user.call('GET', '/api/auth/self')).status).toBe(200);
  });

  test('logout-all ends every session of the user; an access token works as a bearer until revoked', async () => {
    const first = await root.newUser(`multi-${engine}`);
    const second = new AdminClient(gateway.url);
    await second.login(`multi-${engine}`, 'password-123');
    const made = await first.call<{ access_token: string }>('POST', '/api/auth/access-token');
    const script = new AdminClient(gateway.url);
    script.bearer = made.body.access_token;
    expect((await script.call('GET', '/api/auth/self')).body).toMatchObject({ username: `multi-${engine}` });
    expect((await first.call('POST', '/api/auth/logout-all')).status).toBe(200);
    expect((await second.call('GET', '/api/auth/self')).status).toBe(401);
    expect((await script.call('GET', '/api/auth/self')).status).toBe(200);
    await root.call('DELETE', '/api/auth/access-token');
    const fresh = new AdminClient(gateway.url);
    await fresh.login(`multi-${engine}`, 'password-123');
    await fresh.call('DELETE', '/api/auth/access-token');
    expect((await script.call('GET', '/api/auth/self')).status).toBe(401);
  });

  test('a user sees only their own tokens; the key is shown once and works on the relay at once', async () => {
    const alice = await root.newUser(`alice-${engine}`, { quota_usd: 10 });
    const bob = await root.newUser(`bob-${engine}`);
    const made = await alice.call<{ id: number; key: string; key_hint: string }>('POST', '/api/tokens', {
      name: 'laptop',
      models: ['gpt-4o-mini'],
    });
    expect(made.status).toBe(201);
    expect(made.body.key).toMatch(/^sk-[A-Za-z0-9]{48}$/);
    expect(made.body.key_hint).toBe(`${made.body.key.slice(0, 7)}…${made.body.key.slice(-4)}`);
    expect((await chat(made.body.key)).status).toBe(200);
    expect((await chat(made.body.key, 'other')).status).toBe(403);

    const list = await alice.call<{ items: { id: number }[]; total: number }>('GET', '/api/tokens');
    expect(list.body.items.map((t) => t.id)).toEqual([made.body.id]);
    expect(JSON.stringify(list.body)).not.toContain(made.body.key);
    expect((await bob.call<{ total: number }>('GET', '/api/tokens')).body.total).toBe(0);
    expect((await bob.call('GET', `/api/tokens/${made.body.id}`)).status).toBe(404);
    expect((await bob.call('PUT', `/api/tokens/${made.body.id}`, { status: 'disabled' })).status).toBe(404);
    expect((await bob.call('DELETE', `/api/tokens/${made.body.id}`)).status).toBe(404);

    expect((await alice.call('PUT', `/api/tokens/${made.body.id}`, { status: 'disabled' })).status).toBe(200);
    expect((await chat(made.body.key)).status).toBe(401);
  });

  test('a bad allow-list entry is a 400 naming it; config-file keys are listed read-only', async () => {
    const bad = await root.call('POST', '/api/tokens', { name: 'x', allow_ips: ['10.0.0.0/8', '300.1.1.1'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { param: 'allow_ips[1]' } });
    const all = await root.call<{ items: { id: number; source: string; name: string }[] }>('GET', '/api/tokens');
    const fromConfig = all.body.items.find((t) => t.source === 'config')!;
    expect(fromConfig.name).toBe('key#1');
    expect((await root.call('PUT', `/api/tokens/${fromConfig.id}`, { name: 'y' })).status).toBe(403);
  });

  test('admins manage users but not root or other admins; names are unique; groups must exist', async () => {
    const admin = await root.newUser(`admin-${engine}`, { role: 'admin' });
    const rootRow = (await root.call<{ id: number }>('GET', '/api/auth/self')).body;
    expect((await admin.call('PUT', `/api/users/${rootRow.id}`, { display_name: 'x' })).status).toBe(403);
    expect(
      (await admin.call('POST', '/api/users', { username: `a2-${engine}`, password: 'password-123', role: 'admin' }))
        .status,
    ).toBe(403);
    expect(
      (await admin.call('POST', '/api/users', { username: `admin-${engine}`, password: 'password-123' })).status,
    ).toBe(409);
    expect(
      (await admin.call('POST', '/api/users', { username: `g-${engine}`, password: 'password-123', group: 'nope' }))
        .status,
    ).toBe(400);
    expect((await root.call('DELETE', `/api/users/${rootRow.id}`)).status).toBe(403);
    const plain = await admin.newUser(`plain-${engine}`);
    expect((await plain.call('GET', '/api/users')).status).toBe(403);
    expect((await admin.call('DELETE', `/api/users/${plain.id}`)).status).toBe(200);
    expect((await plain.call('GET', '/api/auth/self')).status).toBe(401);
  });

  test('a top-up adds to the balance and is listed for the user', async () => {
    const user = await root.newUser(`topped-${engine}`, { quota_usd: 1 });
    const topped = await root.call('POST', `/api/users/${user.id}/topup`, { quota_usd: 2.5 });
    expect(topped.body).toEqual({ quota_usd: 3.5 });
    const mine = await user.call<{ items: { quota_usd: number; source: string }[] }>('GET', '/api/topups');
    expect(mine.body.items).toEqual([expect.objectContaining({ quota_usd: 2.5, source: 'admin' })]);
  });

  test('two redeems of one code at once credit it once; a used code is refused', async () => {
    const user = await root.newUser(`redeemer-${engine}`, { quota_usd: 0 });
    const made = await root.call<{ codes: { code: string }[] }>('POST', '/api/redemptions', {
      name: 'promo',
      quota_usd: 5,
      count: 1,
    });
    const code = made.body.codes[0]!.code;
    const other = new AdminClient(gateway.url);
    other.cookie = user.cookie;
    const answers = await Promise.all([user, other].map((c) => c.call('POST', '/api/redemptions/redeem', { code })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    expect((await user.call('GET', '/api/auth/self')).body).toMatchObject({ quota_usd: 5 });
    const listed = await root.call<{ items: { status: string }[] }>('GET', '/api/redemptions');
    expect(JSON.stringify(listed.body)).not.toContain(code);
    expect(listed.body.items[0]).toMatchObject({ status: 'used' });
  });

  test('an edit of a redemption code with nothing to change is a 400 (it was an UPDATE setting nothing: a 500)', async () => {
    const made = await root.call<{ codes: { id: number }[] }>('POST', '/api/redemptions', {
      name: 'empty-edit',
      quota_usd: 1,
      count: 1,
    });
    const id = made.body.codes[0]!.id;
    const empty = await root.call<{ error: { message: string } }>('PUT', `/api/redemptions/${id}`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/status, a name or both/);
    expect((await root.call('PUT', `/api/redemptions/${id}`, { status: 'disabled' })).status).toBe(200);
  });

  test('a session cookie that does not percent-decode is no session: 401, not a 500', async () => {
    const client = new AdminClient(gateway.url);
    client.cookie = 'switchyard_session=%E0%A4%A';
    const answer = await client.call<{ error: { code: string } }>('GET', '/api/auth/self');
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('invalid_api_key');
  });

  test('registration is closed until root opens it; new users get new_user_quota_usd', async () => {
    const body = { username: `self-${engine}`, password: 'password-123' };
    expect((await new AdminClient(gateway.url).call('POST', '/api/auth/register', body)).status).toBe(403);
    expect(
      (await root.call('PUT', '/api/options', { registration_enabled: true, new_user_quota_usd: 0.5 })).status,
    ).toBe(200);
    expect((await root.call('PUT', '/api/options', { unknown: 1 })).status).toBe(400);
    const made = await new AdminClient(gateway.url).call('POST', '/api/auth/register', body);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ role: 'user', quota_usd: 0.5 });
    await root.call('PUT', '/api/options', { registration_enabled: false });
  });

  test('the OpenAPI document lists the account routes', async () => {
    const doc = (await (await fetch(`${gateway.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const path of [
      '/api/auth/login',
      '/api/users/{id}',
      '/api/tokens',
      '/api/redemptions/redeem',
      '/api/cost/request/{id}',
    ])
      expect(doc.paths).toHaveProperty([path]);
  });
});
