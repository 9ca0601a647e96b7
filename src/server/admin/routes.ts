/** Every admin API route, by resource; app.ts registers them all under /api. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readOptions } from '../../store/options.ts';
import { type AdminRoute, route } from './api.ts';
import { AUTH_ROUTES } from './auth-routes.ts';
import { CHANNEL_ROUTES } from './channels-routes.ts';
import { COST_ROUTES } from './cost-routes.ts';
import { GROUP_ROUTES } from './groups-routes.ts';
import { PLAYGROUND_ROUTES } from './playground-routes.ts';
import { PRICE_ROUTES } from './prices-routes.ts';
import { PROVIDER_ROUTES } from './providers-routes.ts';
import { REDEMPTION_ROUTES } from './redemptions-routes.ts';
import { STATS_ROUTES } from './stats-routes.ts';
import { TOKEN_ROUTES } from './tokens-routes.ts';
import { USAGE_ROUTES } from './usage-routes.ts';
import { USER_ROUTES } from './users-routes.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const statusShape = z.object({
  name: z.literal('switchyard'),
  version: z.string(),
  time: z.number().int(),
  registration_enabled: z.boolean(),
});

const status = route({
  method: 'GET',
  url: '/api/status',
  tag: 'system',
  summary: 'The gateway’s name, version, clock and whether anyone may register (no login needed)',
  access: 'public',
  response: statusShape,
  handler: async ({ gw }) => ({
    name: 'switchyard' as const,
    version: VERSION,
    time: Date.now(),
    registration_enabled: (await readOptions(gw.store)).registration_enabled,
  }),
});

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  status,
  ...COST_ROUTES,
  ...AUTH_ROUTES,
  ...USER_ROUTES,
  ...GROUP_ROUTES,
  ...TOKEN_ROUTES,
  ...REDEMPTION_ROUTES,
  ...PRICE_ROUTES,
  ...CHANNEL_ROUTES,
  ...PROVIDER_ROUTES,
  ...USAGE_ROUTES,
  ...STATS_ROUTES,
  ...PLAYGROUND_ROUTES,
];
