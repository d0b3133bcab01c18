import { Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';

export interface LoginThrottlePolicy {
  /** Sign-in attempts that did not succeed, per client address, within `windowMs`. */
  maxPerIp: number;
  /** Failed attempts per e-mail address (known or not: the same for both), within `windowMs`. */
  maxPerAccount: number;
  windowMs: number;
  /** Password checks (scrypt) running at once; the rest wait in line. */
  maxConcurrent: number;
  /** Sign-ins waiting for a password check; beyond this the answer is 503. */
  maxQueued: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  maxPerIp: 20,
  maxPerAccount: 5,
  windowMs: 15 * 60_000,
  // scrypt runs on libuv's 4 threads, which the file system shares: two leave room for the rest.
  maxConcurrent: 2,
  maxQueued: 16,
};

/** A sign-in refused before its password is checked: 429 (too many attempts) or 503 (too many at once). */
export class LoginRefused extends Error {
  constructor(
    readonly status: 429 | 503,
    readonly retryAfterSeconds: number,
  ) {
    super(status === 429 ? 'too many sign-in attempts' : 'too many sign-ins at once');
  }
}

/** Timestamps of recent attempts per key, in a bounded map (the oldest keys go first). */
class Window {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly windowMs: number) {}

  /** Seconds until an attempt is allowed again (0: now), given at most `max` in the window. */
  retryAfter(key: string, max: number, now: number): number {
    const recent = this.prune(key, now);
    if (recent.length < max) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - max] + this.windowMs - now) / 1000));
  }

  add(key: string, now: number): void {
    const recent = this.prune(key, now);
    recent.push(now);
    this.hits.delete(key);
    this.hits.set(key, recent);
    if (this.hits.size > 100_000) this.hits.delete(this.hits.keys().next().value as string);
  }

  /** Forgets the most recent attempt (a sign-in that succeeded does not count against its address). */
  removeOne(key: string): void {
    this.hits.get(key)?.pop();
  }

  clear(key: string): void {
    this.hits.delete(key);
  }

  private prune(key: string, now: number): number[] {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length) this.hits.set(key, recent);
    else this.hits.delete(key);
    return recent;
  }
}

/**
 * Keeps sign-in from being a CPU sink or a lock-out weapon: attempts per client address and failures
 * per e-mail address are limited (429 with Retry-After), and password hashing runs at most
 * `maxConcurrent` at a time with a short line behind it (503 with Retry-After when the line is full).
 * Per process: with several replicas each has its own counts (the account lock in the database is shared).
 */
@Injectable()
export class LoginThrottle {
  readonly policy: LoginThrottlePolicy;
  private readonly perIp: Window;
  private readonly perAccount: Window;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(@Inject(AUTH_OPTIONS) options: AuthOptions) {
    this.policy = { ...DEFAULT_LOGIN_THROTTLE, ...options.loginThrottle };
    this.perIp = new Window(this.policy.windowMs);
    this.perAccount = new Window(this.policy.windowMs);
  }

  /**
   * Runs one sign-in attempt: refused (LoginRefused) when the address or the account is over its limit
   * or the line is full; `attempt` answers whether the sign-in succeeded.
   */
  async attempt<T>(ip: string, email: string, attempt: () => Promise<{ ok: boolean; value: T }>): Promise<T> {
    const now = Date.now();
    const account = email.trim().toLowerCase();
    const wait = Math.max(
      this.perIp.retryAfter(ip, this.policy.maxPerIp, now),
      this.perAccount.retryAfter(account, this.policy.maxPerAccount, now),
    );
    if (wait) throw new LoginRefused(429, wait);
    if (this.running >= this.policy.maxConcurrent && this.waiting.length >= this.policy.maxQueued)
      throw new LoginRefused(503, 1);
    // Counted before the check runs: parallel attempts cannot all slip under the limit.
    this.perIp.add(ip, now);
    this.perAccount.add(account, now);
    await this.slot();
    try {
      const result = await attempt();
      if (result.ok) {
        this.perIp.removeOne(ip);
        this.perAccount.clear(account);
      }
      return result.value;
    } finally {
      this.release();
    }
  }

  /** An admin lifted the account's lock-out: its failures no longer count. */
  forgetAccount(email: string): void {
    this.perAccount.clear(email.trim().toLowerCase());
  }

  private slot(): Promise<void> {
    if (this.running < this.policy.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
