/**
 * How each channel has been doing, from the usage logs (whose `channel` is the channel's or provider's name):
 * requests, errors and latency in the last hour; its last use and last error in the last week.
 */
import { z } from 'zod';
import type { Gateway } from '../../gateway.ts';

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;

export const healthShape = z.object({
  requests_1h: z.number().int(),
  errors_1h: z.number().int(),
  avg_latency_ms_1h: z.number().nullable().describe('null without requests in the last hour'),
  last_used_at: z.number().int().nullable().describe('the latest request within the last 7 days'),
  last_error: z
    .object({ at: z.number().int(), status: z.number().int(), message: z.string().nullable() })
    .nullable()
    .describe('the latest failed request (status ≥ 400) within the last 7 days'),
});
export type ChannelHealth = z.infer<typeof healthShape>;

export const UNUSED: ChannelHealth = {
  requests_1h: 0,
  errors_1h: 0,
  avg_latency_ms_1h: null,
  last_used_at: null,
  last_error: null,
};

/**
 * The health of the named channels, or of every channel: two grouped queries however many there are (the last
 * hour's figures; the last week's latest use and latest error, joined back to that error's row).
 */
export async function channelHealth(gw: Gateway, names?: readonly string[]): Promise<Map<string, ChannelHealth>> {
  const health = new Map<string, ChannelHealth>();
  if (names?.length === 0) return health;
  await gw.usage.flush();
  const now = Date.now();
  let logs = gw.store.db.selectFrom('usage_logs').where('channel', 'is not', null);
  if (names) logs = logs.where('channel', 'in', names);
  const [hour, week] = await Promise.all([
    logs
      .where('created_at', '>=', now - HOUR_MS)
      .select((eb) => [
        'channel',
        eb.fn.countAll<number>().as('requests'),
        eb.fn.sum<number>(eb.case().when('status', '>=', 400).then(1).else(0).end()).as('errors'),
        eb.fn.avg<number>('latency_ms').as('latency'),
      ])
      .groupBy('channel')
      .execute(),
    gw.store.db
      .selectFrom(
        logs
          .where('created_at', '>=', now - WEEK_MS)
          .select((eb) => [
            'channel',
            eb.fn.max('created_at').as('last_used_at'),
            // Ids rise with time: the largest id of a failure is the latest one.
            eb.fn.max(eb.case().when('status', '>=', 400).then(eb.ref('id')).end()).as('last_error_id'),
          ])
          .groupBy('channel')
          .as('recent'),
      )
      .leftJoin('usage_logs as failed', 'failed.id', 'recent.last_error_id')
      .select([
        'recent.channel',
        'recent.last_used_at',
        'failed.created_at as error_at',
        'failed.status as error_status',
        'failed.error as error_message',
      ])
      .execute(),
  ]);
  const of = (channel: string): ChannelHealth => {
    const seen = health.get(channel);
    if (seen) return seen;
    const fresh = { ...UNUSED };
    health.set(channel, fresh);
    return fresh;
  };
  for (const r of hour) {
    const h = of(r.channel!);
    h.requests_1h = Number(r.requests);
    h.errors_1h = Number(r.errors ?? 0);
    h.avg_latency_ms_1h = r.latency === null ? null : Math.round(Number(r.latency) * 10) / 10;
  }
  for (const r of week) {
    const h = of(r.channel!);
    h.last_used_at = r.last_used_at === null ? null : Number(r.last_used_at);
    h.last_error =
      r.error_at === null || r.error_status === null
        ? null
        : { at: Number(r.error_at), status: Number(r.error_status), message: r.error_message };
  }
  return health;
}
