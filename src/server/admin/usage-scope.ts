/** Which usage logs a caller's filters select: shared by the log list, its CSV export and the statistics. */
import type { SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { Gateway } from '../../gateway.ts';
import type { Database } from '../../store/schema.ts';
import type { Principal } from './session.ts';

export const range = z.object({
  from: z.coerce.number().int().min(0).optional().describe('Unix ms, inclusive'),
  to: z.coerce.number().int().min(0).optional().describe('Unix ms, exclusive'),
  user_id: z.coerce.number().int().positive().optional().describe('admins only; users always see their own'),
  token_id: z.coerce.number().int().positive().optional(),
  model: z.string().max(191).optional(),
  channel: z.string().max(191).optional(),
});

/** The log list's filters beyond the range (no paging): the list and its export take the same. */
export const logFilters = range.extend({
  token_name: z.string().max(191).optional(),
  status: z.coerce.number().int().optional(),
  errors_only: z.enum(['true', 'false']).optional(),
  request_id: z.string().max(64).optional(),
  parent_request_id: z.string().max(64).optional().describe('the calls a virtual model made for this client request'),
});

export type Logs = SelectQueryBuilder<Database, 'usage_logs', object>;

/** The rows a caller may see within the filters: a user only their own. */
export function scoped(gw: Gateway, principal: Principal, filters: z.infer<typeof range>): Logs {
  let q = gw.store.db.selectFrom('usage_logs') as Logs;
  const userId = principal.role === 'user' ? principal.userId : filters.user_id;
  if (userId !== undefined) q = q.where('user_id', '=', userId);
  if (filters.from !== undefined) q = q.where('created_at', '>=', filters.from);
  if (filters.to !== undefined) q = q.where('created_at', '<', filters.to);
  if (filters.token_id !== undefined) q = q.where('token_id', '=', filters.token_id);
  if (filters.model !== undefined) q = q.where('model', '=', filters.model);
  if (filters.channel !== undefined) q = q.where('channel', '=', filters.channel);
  return q;
}

/** The logs the list (and its export) selects: the caller's scope, the range and the list's own filters. */
export function filteredLogs(gw: Gateway, principal: Principal, filters: z.infer<typeof logFilters>): Logs {
  let q = scoped(gw, principal, filters);
  if (filters.token_name !== undefined) q = q.where('token_name', '=', filters.token_name);
  if (filters.status !== undefined) q = q.where('status', '=', filters.status);
  if (filters.errors_only === 'true') q = q.where('status', '>=', 400);
  if (filters.request_id !== undefined) q = q.where('request_id', '=', filters.request_id);
  if (filters.parent_request_id !== undefined) q = q.where('parent_request_id', '=', filters.parent_request_id);
  return q;
}
