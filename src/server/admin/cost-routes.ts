/** `GET /api/cost/request/{id}`: what one relayed request cost, for the key that made it, its user, or an admin. */
import { z } from 'zod';
import { InvalidRequest, Unauthorized } from '../../core/errors.ts';
import type { Gateway } from '../../gateway.ts';
import type { UsageLogRow } from '../../store/schema.ts';
import { presentedKey } from '../auth.ts';
import { type AdminRoute, route } from './api.ts';
import { principalOf } from './session.ts';

/** How long to wait for a request's log written by another instance (they write in batches). */
const OTHER_INSTANCE_WAIT_MS = [200, 400, 800];

async function findLog(gw: Gateway, requestId: string): Promise<UsageLogRow | undefined> {
  await gw.usage.flush();
  const read = () =>
    gw.store.db.selectFrom('usage_logs').selectAll().where('request_id', '=', requestId).executeTakeFirst();
  let row = await read();
  for (const ms of OTHER_INSTANCE_WAIT_MS) {
    if (row) break;
    await new Promise((resolve) => setTimeout(resolve, ms));
    row = await read();
  }
  return row;
}

/** Whether the caller may see this request's cost: an admin, the request's user, or the API key that made it. */
async function mayRead(gw: Gateway, request: Parameters<typeof principalOf>[1], log: UsageLogRow): Promise<boolean> {
  const principal = await principalOf(gw, request);
  if (principal) return principal.role !== 'user' || principal.userId === log.user_id;
  const key = presentedKey(request.headers, request.query);
  if (!key) throw new Unauthorized('Send the API key that made the request, or log in.');
  const client = await gw.keys.authenticate(key, request.ip);
  return client.account !== undefined && client.account.tokenId === log.token_id;
}

export const requestCostShape = z.object({
  request_id: z.string(),
  quota: z.number().int(),
  cost_usd: z.number(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  created_time: z.number().int().describe('Unix seconds'),
});

const costRoute = route({
  method: 'GET',
  url: '/api/cost/request/:id',
  tag: 'usage',
  summary: 'What one request cost (with the API key that made it, or as its user or an admin)',
  access: 'public',
  params: z.object({ id: z.string().min(1).max(64) }),
  response: requestCostShape,
  handler: async ({ gw, params, request }) => {
    const log = await findLog(gw, params.id);
    // The same answer for "no such request" and "not yours": request ids are not to be probed.
    if (!log || !(await mayRead(gw, request, log))) {
      throw new InvalidRequest(`No request '${params.id}' was made with these credentials.`, {
        status: 404,
        kind: 'not_found',
        code: 'request_not_found',
      });
    }
    return {
      request_id: log.request_id,
      quota: log.quota,
      cost_usd: log.cost_usd,
      prompt_tokens: log.prompt_tokens,
      completion_tokens: log.completion_tokens,
      created_time: Math.floor(log.created_at / 1000),
    };
  },
});

export const COST_ROUTES: readonly AdminRoute[] = [costRoute];
