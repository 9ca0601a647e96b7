/**
 * The admin web UI: the built single-page app in web/dist served at `/`, its hashed assets cached for good, and any
 * browser navigation to a page of the app (an HTML request outside the API's paths) answered with its index page.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The UI talks to its own origin only; styles are inline because the component library sets CSS variables. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Switchyard</title>
<p>The admin UI is not built in this copy of Switchyard: run <code>npm run build:web</code> (npm ci does it), then reload.
The API is up: see <a href="/api/openapi.json">/api/openapi.json</a>.</p>`;

/** Paths the API owns: never answered with the app's page, so a wrong API URL still gets its JSON 404. */
const API_PATH = /^\/(api|v1|v1beta|healthz|readyz|metrics)(\/|$|\?)/;

/** A browser asking for a page of the app (a reload on /channels, a bookmark), not an API client. */
function isPageNavigation(request: FastifyRequest): boolean {
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    !API_PATH.test(request.url) &&
    (request.headers.accept ?? '').includes('text/html')
  );
}

/**
 * Serves the built app and returns the not-found fallback: true when it answered the request with the app's page.
 */
export function registerWebUi(app: FastifyInstance): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const built = existsSync(`${DIST}index.html`);
  if (built) {
    app.register(fastifyStatic, {
      root: DIST,
      wildcard: false,
      preCompressed: true,
      index: false,
      cacheControl: false,
      setHeaders: (reply, path) => {
        if (path.includes('/assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
        else reply.header('cache-control', 'no-cache');
        if (path.endsWith('.html')) for (const [k, v] of Object.entries(PAGE_HEADERS)) reply.header(k, v);
      },
    });
    app.get('/', (_request, reply) => reply.sendFile('index.html'));
  } else {
    app.get('/', async (_request, reply) =>
      reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(NOT_BUILT),
    );
  }
  return (request, reply) => {
    if (!isPageNavigation(request)) return false;
    if (built) void reply.sendFile('index.html');
    else void reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(NOT_BUILT);
    return true;
  };
}
