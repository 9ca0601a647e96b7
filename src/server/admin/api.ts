/**
 * The admin API's route table: each route declares its zod schemas once; they validate the request and make the
 * OpenAPI document at /api/openapi.json. Who may call a route is declared with it and checked before the handler.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ZodType, z } from 'zod';
import { formatPath } from '../../config/path.ts';
import { Forbidden, GatewayError, InvalidRequest, Unauthorized } from '../../core/errors.ts';
import type { Gateway } from '../../gateway.ts';
import type { Role } from '../../store/schema.ts';
import { responseHeaders } from '../headers.ts';
import { type Principal, principalOf } from './session.ts';

export type Access = 'public' | 'user' | 'admin' | 'root';

export interface AdminContext<B, Q, P> {
  gw: Gateway;
  body: B;
  query: Q;
  params: P;
  /** Who is calling; undefined only on public routes. */
  principal: Principal;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface AdminRoute<B = unknown, Q = unknown, P = unknown, R = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify's path syntax: `/api/tokens/:id`. */
  url: string;
  tag: string;
  summary: string;
  access: Access;
  body?: ZodType<B>;
  query?: ZodType<Q>;
  params?: ZodType<P>;
  /** What a success answers (200, or `status`). */
  response: ZodType<R>;
  status?: number;
  /**
   * The success body is not JSON but this media type: the handler returns it as a stream (a CSV download), which
   * the OpenAPI document describes as a string.
   */
  produces?: 'text/csv';
  /** Served to a caller who must change their password first: their own account and logging out. */
  beforePasswordChange?: true;
  handler(ctx: AdminContext<B, Q, P>): Promise<R>;
}

/**
 * Declares a route with its types inferred from its schemas. The table holds routes of many types; the registrar
 * only ever calls a handler with values its own schemas produced, so the erasure is safe.
 */
export function route<B = undefined, Q = undefined, P = undefined, R = unknown>(r: AdminRoute<B, Q, P, R>): AdminRoute {
  return r as unknown as AdminRoute;
}

const RANK: Record<Role, number> = { user: 1, admin: 2, root: 3 };

/** The 404 of a row that does not exist (or that the caller may not see). */
export function notFound(what: string): InvalidRequest {
  return new InvalidRequest(`No such ${what}.`, {
    status: 404,
    kind: 'not_found',
    code: `${what.replace(/ /g, '_')}_not_found`,
  });
}

/** The 409 of a name that is taken. */
export function conflict(message: string): GatewayError {
  return new GatewayError('invalid_request', 409, message, { code: 'conflict' });
}

/** A path parameter that is a row id. */
export const idParams = z.object({ id: z.coerce.number().int().positive() });

/** The error body every admin route answers with on failure (as the relay's OpenAI errors). */
const errorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), code: z.string().nullable(), param: z.string().nullable() }),
});

function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = formatPath(issue.path);
  throw new InvalidRequest(`Invalid ${where}${path ? ` field '${path}'` : ''}: ${issue.message}`, {
    ...(path ? { param: path } : {}),
  });
}

function authorize(principal: Principal | undefined, r: AdminRoute): Principal {
  if (r.access === 'public') return principal as Principal;
  if (!principal) throw new Unauthorized('Log in, or send an admin access token as "Authorization: Bearer <token>".');
  if (principal.mustChangePassword && !r.beforePasswordChange) {
    throw new Forbidden(
      'Change your password first: PUT /api/auth/self with current_password and a new password.',
      'password_change_required',
    );
  }
  if (RANK[principal.role] < RANK[r.access]) {
    throw new Forbidden(`This needs the ${r.access} role.`, 'insufficient_role');
  }
  return principal;
}

/** Registers the routes on the app and serves their OpenAPI document. */
export function registerAdminApi(app: FastifyInstance, gw: Gateway, routes: readonly AdminRoute[]): void {
  for (const r of routes as readonly AdminRoute[]) {
    app.route({
      method: r.method,
      url: r.url,
      handler: async (request, reply) => {
        const principal = authorize(await principalOf(gw, request), r);
        const ctx: AdminContext<unknown, unknown, unknown> = {
          gw,
          principal,
          request,
          reply,
          params: parse(r.params, request.params, 'path'),
          query: parse(r.query, request.query, 'query'),
          body: parse(r.body, request.body, 'body'),
        };
        const result = await r.handler(ctx);
        if (reply.sent) return reply;
        reply.headers(responseHeaders(request.id)).header('cache-control', 'no-store');
        if (r.produces) reply.type(`${r.produces}; charset=utf-8`);
        return reply.code(r.status ?? 200).send(result);
      },
    });
  }
  const document = openApiDocument(routes);
  app.get('/api/openapi.json', async (request, reply) => {
    reply.headers(responseHeaders(request.id));
    return document;
  });
}

function jsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** OpenAPI 3.1 from the routes' own schemas. */
export function openApiDocument(routes: readonly AdminRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const shape = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(shape.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (shape.required ?? []).includes(name),
          schema: property,
        });
      }
    }
    const operation: Record<string, unknown> = {
      tags: [r.tag],
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } }
        : {}),
      responses: {
        [String(r.status ?? 200)]: {
          description: 'Success',
          content: r.produces
            ? { [r.produces]: { schema: { type: 'string', description: r.response.description } } }
            : { 'application/json': { schema: jsonSchema(r.response, 'output') } },
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: jsonSchema(errorSchema, 'output') } },
        },
      },
      ...(r.access === 'public' ? { security: [] } : {}),
    };
    paths[path] = { ...paths[path], [r.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Switchyard admin API', version: '1' },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'switchyard_session' },
        accessToken: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ session: [] }, { accessToken: [] }],
    paths,
  };
}
