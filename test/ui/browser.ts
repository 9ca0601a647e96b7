/**
 * The admin UI's end-to-end harness: Debian's Chromium driven by playwright-core (no browser download), the UI built
 * when its sources are newer than the build, and a screenshot of each step in test/ui/screenshots/ to look at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test/ui/screenshots');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds web/dist unless it is newer than every source of the UI (npm ci builds it; an edit since may not be). */
export function ensureUiBuilt(): void {
  const index = join(ROOT, 'web/dist/index.html');
  const sources = Math.max(newest(join(ROOT, 'web/src')), statSync(join(ROOT, 'web/index.html')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'pipe' });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

const errors = new WeakMap<Page, string[]>();

/** A fresh browser context's page (own cookies and storage) in the given size, theme and language. */
export async function newPage(
  browser: Browser,
  options: { width?: number; height?: number; scheme?: 'light' | 'dark'; language?: 'en' | 'zh' } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    colorScheme: options.scheme ?? 'light',
  });
  await context.addInitScript(
    (language) => localStorage.setItem('switchyard.language', language),
    options.language ?? 'en',
  );
  const page = await context.newPage();
  // Well inside a test's own time limit, so a missing element fails with playwright's own account of it.
  page.setDefaultTimeout(8_000);
  const seen: string[] = [];
  errors.set(page, seen);
  page.on('pageerror', (err) => seen.push(err.message));
  return page;
}

/** Exceptions the app threw in this page so far. */
export function pageErrors(page: Page): string[] {
  return errors.get(page) ?? [];
}

/** Saves the page as test/ui/screenshots/<name>.png (the whole page). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
