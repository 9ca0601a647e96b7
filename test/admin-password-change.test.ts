import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AdminClient } from './admin-client.ts';
import { capturingLogger, type RunningGateway, startGateway } from './harness.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './stores.ts';

type ErrorBody = { error: { code: string; message: string } };

describe.each(ENGINES)('required password changes on %s', (engine) => {
  let database: TestDatabase;
  let gateway: RunningGateway;
  const logged = capturingLogger();

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    // No SWITCHYARD_ADMIN_PASSWORD: root's password is generated and printed once to the log.
    gateway = await startGateway(
      {},
      { databaseUrl: database.url, env: { SWITCHYARD_ADMIN_PASSWORD: undefined }, log: logged.log },
    );
  });
  afterAll(async () => {
    await gateway.close();
    await database.drop();
  });

  test('root with a generated password gets 403 password_change_required until it changes it, then 200', async () => {
    const printed = logged.lines.find((line) => line.username === 'root' && typeof line.password === 'string');
    const generated = String(printed?.password);
    const root = new AdminClient(gateway.url);
    const login = await root.login('root', generated);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ username: 'root', must_change_password: true });

    const refused = await root.call<ErrorBody>('GET', '/api/tokens');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('password_change_required');
    expect(refused.body.error.message).toMatch(/change your password first/i);
    expect((await root.call('POST', '/api/auth/access-token')).status).toBe(403);
    expect((await root.call('GET', '/api/auth/self')).body).toMatchObject({ must_change_password: true });

    const changed = await root.call('PUT', '/api/auth/self', {
      current_password: generated,
      password: 'a-brand-new-root-password',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ must_change_password: false });
    expect((await root.call('GET', '/api/tokens')).status).toBe(200);
    expect((await new AdminClient(gateway.url).login('root', generated)).status).toBe(401);
    const again = await new AdminClient(gateway.url).login('root', 'a-brand-new-root-password');
    expect(again.body).toMatchObject({ must_change_password: false });
  });

  test('an admin makes a user change their password: sessions and access tokens are held to it alike', async () => {
    const admin = new AdminClient(gateway.url);
    await admin.login('root', 'a-brand-new-root-password');
    const fresh = await admin.newUser(`fresh-${engine}`, { must_change_password: true });
    expect((await fresh.call('GET', '/api/auth/self')).body).toMatchObject({ must_change_password: true });
    expect((await fresh.call<ErrorBody>('GET', '/api/logs')).body.error.code).toBe('password_change_required');
    expect((await fresh.call('POST', '/api/auth/logout-all')).status).toBe(200);

    const user = await admin.newUser(`scripted-${engine}`);
    const made = await user.call<{ access_token: string }>('POST', '/api/auth/access-token');
    const script = new AdminClient(gateway.url);
    script.bearer = made.body.access_token;
    expect((await script.call('GET', '/api/tokens')).status).toBe(200);

    const forced = await admin.call('PUT', `/api/users/${user.id}`, { must_change_password: true });
    expect(forced.body).toMatchObject({ must_change_password: true });
    const refused = await script.call<ErrorBody>('GET', '/api/tokens');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('password_change_required');
    expect((await script.call('GET', '/api/auth/self')).status).toBe(200);

    const changed = await script.call('PUT', '/api/auth/self', {
      current_password: 'password-123',
      password: 'password-456',
    });
    expect(changed.body).toMatchObject({ must_change_password: false });
    expect((await script.call('GET', '/api/tokens')).status).toBe(200);
  });
});
