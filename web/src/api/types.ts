/** What the admin API answers, as the UI reads it (the shapes of /api/openapi.json). */

export type Role = 'root' | 'admin' | 'user';

export interface Page<T> {
  items: T[];
  total: number;
}

export interface User {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  role: Role;
  group: string;
  status: 'enabled' | 'disabled';
  /** Remaining balance; null is unlimited. */
  quota_usd: number | null;
  used_usd: number;
  request_count: number;
  has_access_token: boolean;
  must_change_password: boolean;
  created_at: number;
}

export interface Token {
  id: number;
  user_id: number;
  name: string;
  key_hint: string;
  status: 'enabled' | 'disabled';
  unlimited: boolean;
  remain_usd: number | null;
  used_usd: number;
  remain_quota: number;
  used_quota: number;
  expires_at: number | null;
  models: string[] | null;
  allow_ips: string[] | null;
  rpm: number | null;
  tpm: number | null;
  source: 'db' | 'config';
  created_at: number;
  accessed_at: number | null;
}

export interface NewToken extends Token {
  /** The whole key: shown this once. */
  key: string;
}

export interface ChannelKey {
  id: string;
  hint: string;
  cooling_until: number | null;
  disabled_reason: string | null;
}

export interface ChannelHealth {
  requests_1h: number;
  errors_1h: number;
  avg_latency_ms_1h: number | null;
  last_used_at: number | null;
  last_error: { at: number; status: number; message: string | null } | null;
}

export interface Channel {
  /** A number for database channels, `config:<name>` for config-file providers. */
  id: string;
  source: 'db' | 'config';
  read_only: boolean;
  name: string;
  type: string;
  status: 'enabled' | 'disabled' | 'auto_disabled';
  status_reason: string | null;
  groups: string[];
  settings: Record<string, unknown>;
  keys: ChannelKey[];
  used_usd: number;
  test_latency_ms: number | null;
  tested_at: number | null;
  health: ChannelHealth;
}

export interface ChannelTestResult {
  ok: boolean;
  model: string | null;
  latency_ms: number | null;
  status: number | null;
  error: string | null;
}

export interface ProviderType {
  type: string;
  default_base_url: string | null;
  requires_key: boolean;
  key_format: string;
  settings: string[];
  lists_models: boolean;
}

export interface UsageLog {
  id: number;
  request_id: string;
  parent_request_id: string | null;
  created_at: number;
  user_id: number | null;
  token_id: number | null;
  token_name: string;
  channel: string | null;
  model: string;
  upstream_model: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  quota: number;
  cost_usd: number;
  latency_ms: number;
  ttft_ms: number | null;
  stream: boolean;
  status: number;
  error: string | null;
  ip: string | null;
}

export interface Totals {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  quota: number;
  cost_usd: number;
  avg_latency_ms: number | null;
  avg_ttft_ms: number | null;
}

export interface StatsBucket extends Totals {
  key: string;
  /** Unix ms of a time bucket's start; null when grouped by something else. */
  start: number | null;
  /** The split_by value; null without split_by. */
  series: string | null;
}

export interface Stats {
  summary: Totals;
  buckets: StatsBucket[];
}

export type StatsGroup = 'day' | 'hour' | 'minute' | 'model' | 'channel' | 'token' | 'user';
export type StatsSplit = 'model' | 'channel' | 'token' | 'user';

export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

export interface LatencyStats {
  latency: Percentiles;
  ttft: Percentiles;
  by_model: { model: string; requests: number; latency: Percentiles; ttft: Percentiles }[];
}

export interface Price {
  model: string;
  input: number;
  output: number;
  cached_input: number | null;
  cache_write: number | null;
  source: 'database' | 'config' | 'builtin';
}

export interface Group {
  name: string;
  ratio: number;
  description: string;
  users: number;
}

export interface Redemption {
  id: number;
  name: string;
  quota_usd: number;
  status: 'unused' | 'used' | 'disabled';
  created_at: number;
  redeemed_by: number | null;
  redeemed_at: number | null;
}

export interface Topup {
  id: number;
  user_id: number;
  quota_usd: number;
  source: 'redemption' | 'admin';
  reference: string | null;
  created_at: number;
}

export interface Options {
  new_user_quota_usd: number;
  registration_enabled: boolean;
}

export interface RequestCost {
  request_id: string;
  quota: number;
  cost_usd: number;
  prompt_tokens: number;
  completion_tokens: number;
  created_time: number;
}

export interface PlaygroundModel {
  id: string;
  owned_by: string;
}
