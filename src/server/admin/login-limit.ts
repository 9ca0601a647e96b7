/**
 * Failed logins per address and per account over a sliding window: past the limit, even the right password is
 * refused until the window has room again, so passwords cannot be guessed at speed.
 */
import { RateLimited } from '../../core/errors.ts';
import { KeyedWindows } from '../../state/keyed-limits.ts';

const WINDOW_MS = 15 * 60_000;

export class LoginLimit {
  private readonly perAccount = new KeyedWindows(10, WINDOW_MS);
  private readonly perAddress = new KeyedWindows(50, WINDOW_MS);

  /** Throws when this address, or this address on this account, failed too often lately. */
  check(ip: string, username: string, now: number): void {
    for (const [limiter, key] of [
      [this.perAccount, `${ip}\n${username}`],
      [this.perAddress, ip],
    ] as const) {
      const wait = limiter.peek(key, now);
      if (wait > 0) throw new RateLimited('Too many failed logins: try again later.', Math.ceil(wait / 1000));
    }
  }

  /** Counts an attempt that is limited per address only (a registration). */
  attempted(ip: string, now: number): void {
    this.perAddress.take(ip, now);
  }

  failed(ip: string, username: string, now: number): void {
    this.perAccount.take(`${ip}\n${username}`, now);
    this.perAddress.take(ip, now);
  }
}
