/**
 * npm's prepare step: builds the admin UI when its tools are installed. An install without dev dependencies
 * (`npm ci --omit=dev`) has none: it says so and goes on, and the gateway serves a page saying how to build the UI.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('vite');
} catch {
  console.warn('switchyard: the admin UI is not built (dev dependencies are not installed): run npm run build:web');
  process.exit(0);
}
execFileSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
