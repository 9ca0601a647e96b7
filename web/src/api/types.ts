/**
 * What the admin API answers, as the UI reads it: the types of the very zod schemas that validate the API's answers
 * and make /api/openapi.json (type-only imports: no server code reaches the bundle).
 */
import type { z } from 'zod';
import type { ChannelTestResult } from '../../../src/router/channel-test.ts';
import type { channelShape } from '../../../src/server/admin/channels-routes.ts';
import type { requestCostShape } from '../../../src/server/admin/cost-routes.ts';
import type { groupShape } from '../../../src/server/admin/groups-routes.ts';
import type { playgroundModelShape } from '../../../src/server/admin/playground-routes.ts';
import type { priceShape } from '../../../src/server/admin/prices-routes.ts';
import type { providerTypeShape } from '../../../src/server/admin/providers-routes.ts';
import type { redemptionShape } from '../../../src/server/admin/redemptions-routes.ts';
import type { statusShape } from '../../../src/server/admin/routes.ts';
import type { tokenShape, userShape } from '../../../src/server/admin/shapes.ts';
import type {
  bucketShape,
  latencyShape,
  pctShape,
  statsQuery,
  statsShape,
  totalsShape,
} from '../../../src/server/admin/stats-routes.ts';
import type { newTokenShape } from '../../../src/server/admin/tokens-routes.ts';
import type { logShape } from '../../../src/server/admin/usage-routes.ts';
import type { topupShape } from '../../../src/server/admin/users-routes.ts';
import type { Options as StoredOptions } from '../../../src/store/options.ts';
import type { Role as StoredRole } from '../../../src/store/schema.ts';

export type Role = StoredRole;

/** A page of a list (`GET /api/users?page=…`). */
export interface Page<T> {
  items: T[];
  total: number;
}

export type GatewayStatus = z.infer<typeof statusShape>;
export type User = z.infer<typeof userShape>;
export type Token = z.infer<typeof tokenShape>;
/** A token as made: with its whole key, shown this once. */
export type NewToken = z.infer<typeof newTokenShape>;
export type Channel = z.infer<typeof channelShape>;
export type ChannelKey = Channel['keys'][number];
export type ChannelHealth = Channel['health'];
export type { ChannelTestResult };
export type ProviderType = z.infer<typeof providerTypeShape>;
export type UsageLog = z.infer<typeof logShape>;
export type Totals = z.infer<typeof totalsShape>;
export type StatsBucket = z.infer<typeof bucketShape>;
export type Stats = z.infer<typeof statsShape>;
export type StatsGroup = NonNullable<z.input<typeof statsQuery>['group_by']>;
export type StatsSplit = NonNullable<z.input<typeof statsQuery>['split_by']>;
export type Percentiles = z.infer<typeof pctShape>;
export type LatencyStats = z.infer<typeof latencyShape>;
export type Price = z.infer<typeof priceShape>;
export type Group = z.infer<typeof groupShape>;
export type Redemption = z.infer<typeof redemptionShape>;
export type Topup = z.infer<typeof topupShape>;
export type Options = StoredOptions;
export type RequestCost = z.infer<typeof requestCostShape>;
export type PlaygroundModel = z.infer<typeof playgroundModelShape>;
