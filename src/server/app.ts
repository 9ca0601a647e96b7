/** The HTTP server: Fastify with a strict JSON body parser, client auth, the relay routes and errors in the caller's format. */

import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { asGatewayError, GatewayError, InvalidRequest, ModelNotFound, RateLimited } from '../core/errors.ts';
import { anthropic } from '../formats/anthropic/index.ts';
import { gemini } from '../formats/gemini/index.ts';
import { openaiChat } from '../formats/openai-chat/index.ts';
import type { ChatFormat } from '../formats/types.ts';
import type { Gateway } from '../gateway.ts';
import { observeRefusal, type RejectionKind, registry, rejected } from '../metrics.ts';
import type { WindowVerdict } from '../state/keyed-limits.ts';
import { registerAdminApi } from './admin/api.ts';
import { ADMIN_ROUTES } from './admin/routes.ts';
import { registerAnthropicRoutes } from './anthropic-routes.ts';
import { presentedKey } from './auth.ts';
import { registerConversationRoutes } from './conversation-routes.ts';
import { refuseOtherSites, registerRelayCors } from './cross-origin.ts';
import { chatRelay, completionSpec, embeddingSpec } from './endpoints.ts';
import { registerGeminiRoutes } from './gemini-routes.ts';
import { newRequestId, responseHeaders } from './headers.ts';
import { serverLimits } from './http-limits.ts';
import { parseJsonBody } from './json-body.ts';
import { anthropicModel, visibleModels } from './model-list.ts';
import { relayHandler } from './relay.ts';
import { registerResponsesRoutes } from './responses-routes.ts';
import { registerWebUi } from './web-ui.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's inbound format: its errors, auth failures included, are written in it (default OpenAI's). */
    format?: ChatFormat;
  }
}

/** Fastify's own 4xx errors (body too large, bad content type, …) as the gateway's errors. */
function fromFastify(err: FastifyError): GatewayError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new InvalidRequest('The request body is larger than this gateway accepts.', {
        status: 413,
        kind: 'payload_too_large',
        code: 'request_too_large',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new InvalidRequest(`Unsupported content type: send the body as application/json.`, {
        status: 415,
        kind: 'unsupported_media_type',
        code: 'unsupported_media_type',
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequest('The request body is empty; send a JSON object.');
    case 'FST_ERR_BAD_URL':
      return new InvalidRequest('The URL does not decode: it has a malformed percent-escape.', { code: 'invalid_url' });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new InvalidRequest('A path parameter is longer than this gateway accepts.', {
        status: 414,
        code: 'uri_too_long',
      });
    default:
      return new InvalidRequest(err.message, { status: err.statusCode ?? 400 });
  }
}

/** Any error a route or hook threw, as the gateway's error. */
function gatewayErrorOf(err: FastifyError | GatewayError): GatewayError {
  if (err instanceof GatewayError) return err;
  return typeof err.code === 'string' && err.code.startsWith('FST_') ? fromFastify(err) : asGatewayError(err);
}

/**
 * The error format of a request whose route names none, or that no route took (a URL that does not decode, an
 * unknown path): the API its path belongs to, so that an Anthropic or Gemini client still gets an error it can read.
 */
function formatOfPath(method: string, url: string): ChatFormat {
  if (/^\/v1\/messages(?:[/?]|$)/.test(url)) return anthropic;
  if (url.startsWith('/v1beta/') || (method === 'POST' && url.startsWith('/v1/models/'))) return gemini;
  return openaiChat;
}

function sendError(reply: FastifyReply, request: FastifyRequest, err: GatewayError): void {
  const format = request.routeOptions.config?.format ?? formatOfPath(request.method, request.url);
  const { status, body } = format.encodeError(err);
  const headers = responseHeaders(request.id);
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter);
  if (reply.sent || reply.raw.headersSent) {
    if (!reply.raw.writableEnded) reply.raw.end();
    return;
  }
  reply.code(status).headers(headers).type('application/json').send(body);
}

export function buildApp(gw: Gateway): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: gw.config.server.body_limit,
    genReqId: newRequestId,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
    trustProxy: gw.config.server.trust_proxy,
    ...serverLimits(gw.config.server),
    // A URL that does not decode (`%ZZ`) or a path parameter over the length limit, before any route is found.
    frameworkErrors: (err, request, reply) => sendError(reply, request, fromFastify(err)),
  });
  const limits = gw.config.rate_limits;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json'], { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    try {
      done(null, parseJsonBody(body));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.decorateRequest('relayed', false);
  app.setErrorHandler((err: FastifyError | GatewayError, request, reply) => {
    const gatewayError = gatewayErrorOf(err);
    if (gatewayError.status >= 500 && !(gatewayError instanceof GatewayError && gatewayError.kind !== 'internal')) {
      gw.log.error({ req: request.id, err }, 'request failed');
    }
    sendError(reply, request, gatewayError);
  });

  const servePage = registerWebUi(app);
  app.setNotFoundHandler((request, reply) => {
    if (servePage(request, reply)) return;
    sendError(
      reply,
      request,
      new InvalidRequest(`Unknown endpoint: ${request.method} ${request.url.split('?')[0]}`, {
        status: 404,
        kind: 'not_found',
        code: 'unknown_endpoint',
      }),
    );
  });

  app.get('/healthz', async (request, reply) => {
    reply.headers(responseHeaders(request.id));
    return { status: 'ok' };
  });
  app.get('/metrics', async (request, reply) => {
    reply.headers(responseHeaders(request.id)).type(registry.contentType);
    return registry.metrics();
  });
  app.get('/readyz', async (request, reply) => {
    reply.headers(responseHeaders(request.id));
    if (gw.closing) return reply.code(503).send({ status: 'closing' });
    try {
      await sql`select 1`.execute(gw.store.db);
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
    // Redis away is not a reason to take this instance out: it serves on with per-instance limits (fail open).
    if (gw.shared) return { status: 'ready', redis: (await gw.shared.redis.ping()) ? 'up' : 'down' };
    return { status: 'ready' };
  });

  registerRelayCors(app, gw.config.server.cors_origins);
  app.register(async (admin) => {
    admin.addHook('onRequest', refuseOtherSites);
    if (limits.api_per_ip > 0)
      admin.addHook(
        'onRequest',
        limitBy(gw, limits.api_per_ip, (request) => `api:${request.ip}`, 'from this address', 'api_per_ip'),
      );
    registerAdminApi(admin, gw, ADMIN_ROUTES);
  });

  app.register(async (relay) => {
    // Requests refused before a relay handler settled them (bad key, per-IP limit, malformed body) are counted here.
    relay.addHook('onError', (request, _reply, err: FastifyError | GatewayError, done) => {
      if (!request.relayed) observeRefusal(request.routeOptions.url ?? '', gatewayErrorOf(err).status);
      done();
    });
    if (limits.relay_per_ip > 0)
      relay.addHook(
        'onRequest',
        limitBy(gw, limits.relay_per_ip, (request) => `relay:${request.ip}`, 'from this address', 'relay_per_ip'),
      );
    relay.addHook('onRequest', (request, _reply, done) => {
      try {
        const client = gw.keys.authenticate(presentedKey(request.headers, request.query), request.ip);
        if (!(client instanceof Promise)) {
          request.client = client;
          return done();
        }
        client.then(
          (c) => {
            request.client = c;
            done();
          },
          (err: Error) => done(err),
        );
      } catch (err) {
        done(err as Error);
      }
    });
    if (limits.relay_per_token > 0) {
      relay.addHook(
        'onRequest',
        limitBy(
          gw,
          limits.relay_per_token,
          (request) => `token:${request.client.account?.tokenId ?? 'anonymous'}`,
          'with this API key',
          'relay_per_token',
        ),
      );
    }
    const chat = chatRelay(gw, openaiChat);
    for (const url of ['/v1/chat/completions', '/chat/completions', '/v1']) relay.post(url, chat);
    const completions = relayHandler(gw, completionSpec);
    for (const url of ['/v1/completions', '/completions']) relay.post(url, completions);
    const embeddings = relayHandler(gw, embeddingSpec);
    for (const url of ['/v1/embeddings', '/embeddings']) relay.post(url, embeddings);
    registerGeminiRoutes(relay, gw, (client) => visibleModels(gw, client));
    registerResponsesRoutes(relay, gw);
    registerConversationRoutes(relay, gw);
    registerAnthropicRoutes(relay, gw);

    // Anthropic's SDK (it sends anthropic-version) lists models at the same path, in its own shape.
    const anthropicClient = (request: FastifyRequest): boolean => request.headers['anthropic-version'] !== undefined;
    relay.get('/v1/models', async (request, reply) => {
      reply.headers(responseHeaders(request.id));
      const models = visibleModels(gw, request.client);
      if (!anthropicClient(request)) return { object: 'list', data: models };
      const data = models.map(anthropicModel);
      return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
    });
    relay.get<{ Params: { id: string } }>('/v1/models/:id', async (request, reply) => {
      const model = visibleModels(gw, request.client).find((m) => m.id === request.params.id);
      if (!model) throw new ModelNotFound(request.params.id);
      reply.headers(responseHeaders(request.id));
      return anthropicClient(request) ? anthropicModel(model) : model;
    });
  });

  return app;
}

/** An onRequest hook refusing callers over their limit (in the config's window) with 429 and Retry-After. */
function limitBy(
  gw: Gateway,
  limit: number,
  keyOf: (request: FastifyRequest) => string,
  who: string,
  kind: RejectionKind,
): (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void {
  const windowMs = gw.config.rate_limits.window;
  const refusals = rejected[kind];
  const refuse = (verdict: WindowVerdict): Error | undefined => {
    if (verdict.allowed) return undefined;
    refusals.inc();
    return new RateLimited(`Too many requests ${who}: try again later.`, Math.ceil(verdict.retryAfterMs / 1000));
  };
  return (request, _reply, done) => {
    const verdict = gw.limiter.take(keyOf(request), limit, windowMs);
    if (!(verdict instanceof Promise)) return done(refuse(verdict));
    verdict.then((v) => done(refuse(v)), done);
  };
}
