/**
 * The database's tables as TypeScript types (Kysely's view of them). Times are Unix milliseconds; amounts of quota
 * are integers in one-api's unit (500,000 per US dollar) so balances imported from one-api keep their meaning;
 * lists and maps are JSON text; booleans are 0/1.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** one-api's quota unit: this many make one US dollar. */
export const QUOTA_PER_USD = 500_000;

export type Role = 'root' | 'admin' | 'user';
export type Flag = 0 | 1;

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  group_name: string;
  status: 'enabled' | 'disabled';
  /** Remaining balance in quota units; null is unlimited. */
  quota: number | null;
  used_quota: Generated<number>;
  request_count: Generated<number>;
  email: string | null;
  /** sha256 of the user's admin API token (a bearer for scripts), if one was issued. */
  access_token_hash: string | null;
  /** Bumped to end every session of the user (logout everywhere, password change). */
  session_epoch: Generated<number>;
  /** 1: the admin API serves the user nothing but a password change (root's generated password, an admin's order). */
  must_change_password: Generated<Flag>;
  created_at: number;
  updated_at: number;
}

export interface GroupsTable {
  name: string;
  /** Multiplies every price for the group's users. */
  ratio: number;
  description: string;
  created_at: number;
}

export interface TokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** sha256 (hex) of the full `sk-…` key; the key itself is shown once and never stored. */
  key_hash: string;
  /** What identifies the key to people: `sk-abcd…wxyz`. */
  key_hint: string;
  status: 'enabled' | 'disabled';
  unlimited_quota: Flag;
  remain_quota: number;
  used_quota: Generated<number>;
  /** Null: never expires. */
  expires_at: number | null;
  /** JSON array of model names; null: every model. */
  models: string | null;
  /** JSON array of IPs and CIDRs; null: any address. */
  allow_ips: string | null;
  rpm: number | null;
  tpm: number | null;
  /**
   * `config`: a key from the config file, mirrored here for metering; read-only in the admin API. `playground`: the
   * token a user's requests from the admin UI's playground run as (it has no key; not listed with the API tokens).
   */
  source: 'db' | 'config' | 'playground';
  created_at: number;
  accessed_at: number | null;
}

export interface ChannelsTable {
  id: Generated<number>;
  name: string;
  type: string;
  status: 'enabled' | 'disabled' | 'auto_disabled';
  status_reason: string | null;
  /** JSON: the provider entry (base_url, models, model_map, limits, priority, weight, …) without its keys. */
  settings: string;
  /** The keys as one AES-256-GCM sealed JSON array (see secret.ts). */
  keys_sealed: string;
  /** Comma-separated user groups that may use this channel; empty: every group. */
  groups: string;
  used_quota: Generated<number>;
  test_latency_ms: number | null;
  tested_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface PricesTable {
  model: string;
  /** USD per 1M tokens. */
  input: number;
  output: number;
  cached_input: number | null;
  /** Writing to the prompt cache; null: the input price. */
  cache_write: number | null;
  updated_at: number;
}

export interface UsageLogsTable {
  id: Generated<number>;
  request_id: string;
  created_at: number;
  user_id: number | null;
  token_id: number | null;
  token_name: string;
  channel: string | null;
  /** The model the client asked for. */
  model: string;
  upstream_model: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  quota: number;
  cost_usd: number;
  latency_ms: number;
  ttft_ms: number | null;
  stream: Flag;
  status: number;
  error: string | null;
  ip: string | null;
  /** Set on a call a virtual model made: the client's request it was made for. */
  parent_request_id?: string | null;
}

export interface RedemptionsTable {
  id: Generated<number>;
  name: string;
  /** sha256 (hex) of the code; the code is shown once. */
  code_hash: string;
  quota: number;
  status: 'unused' | 'used' | 'disabled';
  created_by: number | null;
  created_at: number;
  redeemed_by: number | null;
  redeemed_at: number | null;
}

export interface TopupsTable {
  id: Generated<number>;
  user_id: number;
  quota: number;
  source: 'redemption' | 'admin';
  reference: string | null;
  created_at: number;
}

export interface ConversationsTable {
  /** Whose it is: the API token (`t:<id>`), or the open relay's `anonymous`. */
  owner: string;
  /** The client's `conversation_id`. */
  conversation_id: string;
  /** The model of the last turn. */
  model: string;
  messages: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface ConversationMessagesTable {
  id: Generated<number>;
  owner: string;
  conversation_id: string;
  /** 0, 1, 2, … in conversation order. */
  seq: number;
  /** The canonical message as JSON. */
  message: string;
  created_at: number;
}

export interface OptionsTable {
  key: string;
  value: string;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  tokens: TokensTable;
  channels: ChannelsTable;
  prices: PricesTable;
  usage_logs: UsageLogsTable;
  redemptions: RedemptionsTable;
  topups: TopupsTable;
  options: OptionsTable;
  conversations: ConversationsTable;
  conversation_messages: ConversationMessagesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type TokenRow = Selectable<TokensTable>;
export type NewToken = Insertable<TokensTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type PriceRow = Selectable<PricesTable>;
export type UsageLogRow = Selectable<UsageLogsTable>;
export type NewUsageLog = Insertable<UsageLogsTable>;
export type RedemptionRow = Selectable<RedemptionsTable>;
export type GroupRow = Selectable<GroupsTable>;
