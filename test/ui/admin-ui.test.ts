/**
 * The admin web UI end to end, in headless Chromium against a running gateway and a mock upstream: first login with
 * the generated password, a channel made and tested with the form, a key made and used with the openai SDK, the
 * request in the logs and on the dashboard, a streamed playground chat, phone width in dark mode and Chinese, and a
 * plain user's narrower view. Each step saves test/ui/screenshots/<step>.png.
 */
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AdminClient } from '../admin-client.ts';
import { capturingLogger, type RunningGateway, startGateway } from '../harness.ts';
import { type MockUpstream, startMockUpstream } from '../mock-upstream.ts';
import { ensureUiBuilt, launchBrowser, newPage, pageErrors, screenshot } from './browser.ts';

/** A field's accessible name: its label, which may end in the required mark. */
const exactly = (label: string): RegExp => new RegExp(`^${label}\\s*\\*?$`);

/** A password input by its label (its show/hide button is labelled too). */
const passwordField = (page: Page, label: string) =>
  page.getByLabel(exactly(label)).and(page.locator('input[type=password]'));

const UPSTREAM_KEY = 'sk-upstream-e2e-000000000001';
const NEW_PASSWORD = 'a-new-root-password-42';

describe('the admin web UI', () => {
  let mock: MockUpstream;
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;
  let apiKey = '';
  let requestId = '';
  const logged = capturingLogger();

  beforeAll(async () => {
    ensureUiBuilt();
    mock = await startMockUpstream({ keys: [UPSTREAM_KEY], models: ['gpt-4o-mini'] });
    // No keys and no admin password: a first start, as `npm start` gives it.
    gateway = await startGateway(
      { auth: { keys: [] }, prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } } },
      { env: { SWITCHYARD_ADMIN_PASSWORD: undefined }, log: logged.log },
    );
    browser = await launchBrowser();
    page = await newPage(browser);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await mock?.close();
  });

  test('first start: root logs in with the generated password and must choose a new one', async () => {
    const printed = logged.lines.find((line) => line.username === 'root' && typeof line.password === 'string');
    expect(printed).toBeDefined();
    await page.goto(`${gateway.url}/channels`);
    await page.getByLabel('Username').fill('root');
    await passwordField(page, 'Password').fill(String(printed!.password));
    await screenshot(page, '01-login');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await passwordField(page, 'Current password').fill(String(printed!.password));
    await passwordField(page, 'New password').fill(NEW_PASSWORD);
    await passwordField(page, 'New password again').fill(NEW_PASSWORD);
    await screenshot(page, '02-change-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('getting-started').waitFor();
    await screenshot(page, '03-dashboard-empty');
    // The old password no longer works; the new one does.
    const api = new AdminClient(gateway.url);
    expect((await api.login('root', String(printed!.password))).status).toBe(401);
    expect((await api.login('root', NEW_PASSWORD)).status).toBe(200);
    expect(pageErrors(page)).toEqual([]);
  });

  test('an admin makes a channel with the form, and its test answers', async () => {
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'New channel' }).first().click();
    const drawer = page.getByRole('dialog', { name: 'New channel' });
    await drawer.getByLabel(exactly('Name')).fill('mock-openai');
    await drawer.getByLabel(exactly('Base URL')).fill(`${mock.url}/v1`);
    await drawer.getByRole('textbox', { name: exactly('Keys') }).fill(UPSTREAM_KEY);
    const models = drawer.getByLabel(exactly('Models'));
    await models.fill('gpt-4o-mini');
    await models.press('Enter');
    await screenshot(page, '04-channel-form');
    await drawer.getByRole('button', { name: 'Create channel' }).click();
    const row = page.getByTestId('channel-row-mock-openai');
    await row.waitFor();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Test mock-openai' }).click();
    await page.getByText(/mock-openai answered in/).waitFor();
    await screenshot(page, '05-channel-tested');
    const sent = mock.requests.filter((r) => r.key === UPSTREAM_KEY);
    expect(sent.length).toBeGreaterThan(0);
    expect(pageErrors(page)).toEqual([]);
  });

  test('an admin makes an API key, sees it once, and it works with the openai SDK', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'New key' }).first().click();
    await page.getByRole('dialog', { name: 'New API key' }).getByLabel(exactly('Name')).fill('e2e-laptop');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('new-key');
    await shown.waitFor();
    apiKey = (await shown.innerText()).trim();
    expect(apiKey).toMatch(/^sk-/);
    await screenshot(page, '06-key-shown-once');
    await page.getByRole('button', { name: 'I have saved the key' }).click();
    await page.getByTestId('token-table').getByText('e2e-laptop').waitFor();

    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello from the SDK' }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toContain('Hello from the SDK');
    requestId = response.headers.get('x-request-id')!;
    expect(requestId).toBeTruthy();
    expect(pageErrors(page)).toEqual([]);
  });

  test('the request shows in the usage logs, with its cost in the detail', async () => {
    await page.getByRole('link', { name: 'Usage logs' }).click();
    const table = page.getByTestId('log-table');
    await table.getByText('e2e-laptop').first().waitFor();
    await screenshot(page, '07-logs');
    await table.getByText('e2e-laptop').first().click();
    const detail = page.getByTestId('log-detail');
    await detail.getByText(requestId).first().waitFor();
    await detail
      .getByTestId('log-cost')
      .getByText(/\$0\.0/)
      .first()
      .waitFor();
    await screenshot(page, '08-log-detail');
    await page.keyboard.press('Escape');
    expect(pageErrors(page)).toEqual([]);
  });

  test('the dashboard counts the request', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const requests = page.getByTestId('card-requests');
    await requests.waitFor();
    await expect.poll(async () => requests.innerText(), { timeout: 5000 }).toMatch(/\b1\b/);
    await page.getByTestId('chart-requests').waitFor();
    await page.getByTestId('latency-percentiles').waitFor();
    await screenshot(page, '09-dashboard');
    expect(pageErrors(page)).toEqual([]);
  });

  test('the playground streams an answer with its reasoning apart, and its cost and time', async () => {
    await page.getByRole('link', { name: 'Playground' }).click();
    await expect.poll(async () => page.getByTestId('model-select').inputValue()).toBe('gpt-4o-mini');
    await page.getByLabel('Thinking (for models that have it)').check({ force: true });
    await page.getByRole('textbox', { name: 'Type a message…' }).fill('Tell me about switchyards');
    await page.getByRole('button', { name: 'Send' }).click();
    const figures = page.getByTestId('turn-figures');
    await figures.waitFor();
    await expect.poll(async () => figures.innerText()).toMatch(/first token .* total .* in · .* out · cost \$/);
    await expect(page.getByTestId('answer').innerText()).resolves.toContain('Tell me about switchyards');
    await expect(page.getByTestId('reasoning').innerText()).resolves.toContain('Tell me about switchyards');
    await screenshot(page, '10-playground');
    const chat = mock.requests.at(-1)!;
    expect(chat.body).toMatchObject({ stream: true, model: 'gpt-4o-mini' });
    expect(pageErrors(page)).toEqual([]);
  });

  test('at phone width, in the dark theme and in Chinese, every page fits the screen', async () => {
    const phone = await newPage(browser, { width: 375, height: 812, scheme: 'dark', language: 'zh' });
    await phone.request.post(`${gateway.url}/api/auth/login`, { data: { username: 'root', password: NEW_PASSWORD } });
    for (const path of ['/', '/channels', '/tokens', '/logs', '/playground', '/users', '/prices', '/account']) {
      await phone.goto(`${gateway.url}${path}`);
      await phone.waitForLoadState('networkidle');
      await screenshot(phone, `11-phone${path === '/' ? '-dashboard' : path.replace('/', '-')}`);
      // Evaluated in the page (a string: this file is compiled without the DOM's types).
      const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      expect(overflow, `${path} is wider than the phone`).toBeLessThanOrEqual(0);
    }
    // The navigation lives behind the menu button, in Chinese.
    await phone.getByRole('button', { name: 'menu' }).click();
    await phone.getByRole('link', { name: '渠道' }).waitFor();
    await screenshot(phone, '12-phone-menu');
    expect(pageErrors(phone)).toEqual([]);
    await phone.context().close();
  });

  test('a plain user sees only their own keys and logs, and no admin pages', async () => {
    const admin = new AdminClient(gateway.url);
    await admin.login('root', NEW_PASSWORD);
    const made = await admin.call('POST', '/api/users', {
      username: 'dana',
      password: 'dana-password-1',
      quota_usd: 3,
    });
    expect(made.status).toBe(201);
    const user = await newPage(browser);
    await user.goto(`${gateway.url}/login`);
    await user.getByLabel('Username').fill('dana');
    await passwordField(user, 'Password').fill('dana-password-1');
    await user.getByRole('button', { name: 'Log in' }).click();
    await user.getByTestId('card-balance').waitFor();
    await expect(user.getByRole('link', { name: 'Channels' }).count()).resolves.toBe(0);
    await user.goto(`${gateway.url}/channels`);
    await user.getByTestId('card-balance').waitFor();
    expect(new URL(user.url()).pathname).toBe('/');
    await user.goto(`${gateway.url}/logs`);
    await user.getByTestId('log-filters').waitFor();
    await user.waitForLoadState('networkidle');
    await expect(user.getByText('e2e-laptop').count()).resolves.toBe(0);
    await screenshot(user, '13-user-logs');
    expect(pageErrors(user)).toEqual([]);
    await user.context().close();
  });
});
