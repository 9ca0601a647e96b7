/**
 * Failed logins per address and per account over a sliding window: past the limit, even the right password is
 * refused until the window has room again, so passwords cannot be guessed at speed (on any instance: the counts are
 * the gateway's shared limiter).
 */
import { RateLimited } from '../../core/errors.ts';
import type { RateLimiter } from '../../state/keyed-limits.ts';

const WINDOW_MS = 15 * 60_000;
const PER_ACCOUNT = 10;
const PER_ADDRESS = 50;

const account = (ip: string, username: string): string => `login:${ip}\n${username}`;
const address = (ip: string): string => `login:${ip}`;

/** Throws when this address, or this address on this account, failed too often lately. */
export async function checkLogin(limiter: RateLimiter, ip: string, username: string): Promise<void> {
  for (const [key, limit] of [
    [account(ip, username), PER_ACCOUNT],
    [address(ip), PER_ADDRESS],
  ] as const) {
    const verdict = await limiter.take(key, limit, WINDOW_MS, 1, false);
    if (!verdict.allowed)
      throw new RateLimited('Too many failed logins: try again later.', Math.ceil(verdict.retryAfterMs / 1000));
  }
}

/** Counts an attempt that is limited per address only (a registration). */
export function countAttempt(limiter: RateLimiter, ip: string): void {
  limiter.add(address(ip), PER_ADDRESS, WINDOW_MS, 1);
}

export function countFailure(limiter: RateLimiter, ip: string, username: string): void {
  limiter.add(account(ip, username), PER_ACCOUNT, WINDOW_MS, 1);
  countAttempt(limiter, ip);
}
