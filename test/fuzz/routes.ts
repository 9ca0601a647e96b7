/**
 * The routes the fuzz test throws requests at, collected from the app as Fastify registers them, and the error
 * format each path must answer in.
 */
import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import type { AdminRoute } from '../../src/server/admin/api.ts';

/** The error shapes of the three wire formats the gateway speaks. */
export type ErrorFormat = 'openai' | 'anthropic' | 'gemini';

export interface FuzzRoute {
  method: string;
  url: string;
  area: 'relay' | 'admin' | 'system';
  /** The admin API's declaration of the route (its schemas), for admin routes. */
  admin?: AdminRoute;
}

/** Files of the web UI (served by @fastify/static): not an API, not fuzzed. */
const STATIC_FILE = /^\/$|\.(?:html|js|css|svg|ico|png|woff2?|gz|br|txt|webmanifest)$/;
const SYSTEM = new Set(['/healthz', '/readyz', '/metrics']);

/** Collects the app's routes as Fastify registers them (an `onRoute` hook): every route added later is fuzzed too. */
export function routeCollector(adminRoutes: readonly AdminRoute[]): {
  onRoute(options: RouteOptions): void;
  routes: FuzzRoute[];
} {
  const routes: FuzzRoute[] = [];
  const seen = new Set<string>();
  return {
    routes,
    onRoute(options) {
      for (const method of [options.method].flat()) {
        const key = `${method} ${options.url}`;
        if (seen.has(key) || STATIC_FILE.test(options.url)) continue;
        seen.add(key);
        const admin = adminRoutes.find((r) => r.url === options.url && (r.method === method || method === 'HEAD'));
        const area = options.url.startsWith('/api/') ? 'admin' : SYSTEM.has(options.url) ? 'system' : 'relay';
        routes.push({ method, url: options.url, area, ...(admin ? { admin } : {}) });
      }
    },
  };
}

/**
 * The error format a path must answer in (from the README's endpoint list, not from the route's own config, so a
 * route registered without its format is caught): Anthropic's under /v1/messages, Gemini's under /v1beta and for
 * `POST /v1/models/{model}:{action}`, OpenAI's (which the admin API shares) everywhere else.
 */
export function errorFormatOf(method: string, path: string): ErrorFormat {
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  if (path.startsWith('/v1beta/')) return 'gemini';
  if (method === 'POST' && path.startsWith('/v1/models/')) return 'gemini';
  return 'openai';
}

const ERROR_SHAPES: Record<ErrorFormat, z.ZodType> = {
  openai: z.object({
    error: z.object({
      message: z.string().min(1),
      type: z.string().min(1),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  }),
  anthropic: z.object({
    type: z.literal('error'),
    error: z.object({ type: z.string().min(1), message: z.string().min(1) }),
  }),
  gemini: z.object({
    error: z.object({ code: z.number().int(), message: z.string().min(1), status: z.string().min(1) }),
  }),
};

/** Why an error answer is not in the format's shape, or undefined when it is. */
export function errorShapeProblem(format: ErrorFormat, status: number, body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
  const checked = ERROR_SHAPES[format].safeParse(parsed);
  if (!checked.success) return `not ${format}'s error shape: ${body.slice(0, 300)}`;
  if (format === 'gemini' && (parsed as { error: { code: number } }).error.code !== status) {
    return `gemini error code differs from the status ${status}: ${body.slice(0, 200)}`;
  }
  return undefined;
}
