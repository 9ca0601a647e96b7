/** What a request costs: usage × the model's price (USD per 1M tokens) × the caller's group ratio, in USD and quota. */
import type { Usage } from '../core/types.ts';
import { QUOTA_PER_USD } from '../store/schema.ts';

/** USD per 1M tokens. */
export interface Price {
  input: number;
  output: number;
  /** Cached input tokens; the input price when the vendor publishes none. */
  cachedInput?: number | undefined;
  /** Input tokens written to the prompt cache (Anthropic: 1.25× input); the input price when unset. */
  cacheWrite?: number | undefined;
}

export interface Cost {
  /** In one-api's quota unit (QUOTA_PER_USD per dollar), rounded up so that no paid request is free. */
  quota: number;
  usd: number;
}

const FREE: Cost = { quota: 0, usd: 0 };

export function costOf(usage: Usage | undefined, price: Price | undefined, ratio: number): Cost {
  if (!usage || !price) return FREE;
  const cached = Math.min(usage.cachedTokens ?? 0, usage.promptTokens);
  const written = Math.min(usage.cacheWriteTokens ?? 0, usage.promptTokens - cached);
  const usd =
    (((usage.promptTokens - cached - written) * price.input +
      cached * (price.cachedInput ?? price.input) +
      written * (price.cacheWrite ?? price.input) +
      usage.completionTokens * price.output) /
      1_000_000) *
    ratio;
  return { usd, quota: Math.ceil(usd * QUOTA_PER_USD) };
}

/** The most a request may cost before it runs: its prompt estimate and the answer's token limit, if it set one. */
export function estimateQuota(
  promptTokens: number,
  maxTokens: number | undefined,
  price: Price | undefined,
  ratio: number,
): number {
  const completionTokens = maxTokens ?? 0;
  return costOf({ promptTokens, completionTokens, totalTokens: promptTokens + completionTokens }, price, ratio).quota;
}

export function usdOf(quota: number): number {
  return quota / QUOTA_PER_USD;
}

export function quotaOf(usd: number): number {
  return Math.round(usd * QUOTA_PER_USD);
}
