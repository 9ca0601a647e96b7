/**
 * What other sites' pages may do with the gateway from a visitor's browser: call the relay when `server.cors_origins`
 * lets them (keys only, never cookies, so no credentials are ever allowed), and nothing that changes state in the admin
 * API, whose session cookie a browser would attach.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden } from '../core/errors.ts';

/** The relay's paths (OpenAI, Anthropic and Gemini routes); never `/api`. */
const RELAY_PATH = /^\/(?:v1|v1beta)(?:[/?]|$)|^\/(?:chat\/completions|completions|embeddings)(?:\?|$)/;
/** Headers a browser client may read from a relay answer. */
const EXPOSED = 'x-request-id, x-oneapi-request-id, retry-after';
/** How long a browser may cache a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = '600';

/**
 * Answers CORS for the relay when origins are configured: preflights get 204 with what they asked for, and answers the
 * allowed origin. Headers go on the raw response so that hijacked replies (streams) carry them too.
 */
export function registerRelayCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!RELAY_PATH.test(request.url)) return done();
    // Which origin gets an answer depends on the Origin header: caches must keep them apart.
    if (!anyOrigin) reply.raw.setHeader('vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined || !(anyOrigin || allowed.has(origin))) return done();
    reply.raw.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin);
    const method = request.headers['access-control-request-method'];
    if (request.method !== 'OPTIONS' || method === undefined) {
      reply.raw.setHeader('access-control-expose-headers', EXPOSED);
      return done();
    }
    // A preflight: the relay authenticates by key (a header the page sets), never by cookie, so echoing is safe.
    reply.raw.setHeader('access-control-allow-methods', 'GET, POST, DELETE');
    const headers = request.headers['access-control-request-headers'];
    if (headers) reply.raw.setHeader('access-control-allow-headers', headers);
    reply.raw.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE);
    void reply.code(204).send();
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a request that would change state in the admin API when the browser says another site's page made it
 * (`Sec-Fetch-Site`). SameSite=Strict keeps the session cookie from other sites, but not from sibling subdomains
 * ("same-site"), and a body-less form POST (new access token, log out everywhere) needs no JSON content type.
 */
export function refuseOtherSites(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const site = request.headers['sec-fetch-site'];
  const fromElsewhere =
    !SAFE_METHODS.has(request.method) && site !== undefined && site !== 'same-origin' && site !== 'none';
  done(
    fromElsewhere
      ? new Forbidden('The admin API does not take requests made by other sites’ pages.', 'cross_site_request')
      : undefined,
  );
}
