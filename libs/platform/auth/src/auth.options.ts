import type { ApiKeySeed } from '@klaxon/platform/config';
import type { Logger } from '@klaxon/platform/observability';
import type { Registry } from 'prom-client';
import type { LoginThrottlePolicy } from './login-throttle';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
export const AUTH_LOGGER = Symbol('AUTH_LOGGER');
export const AUTH_METRICS = Symbol('AUTH_METRICS');

export interface AuthOptions {
  /** Keys created at start-up (API_KEYS, and the embedded demo key). */
  seeds: ApiKeySeed[];
  logger: Logger;
  metrics: Registry;
  /** How long a looked-up key is trusted without asking the database again (revocations on other replicas take this long). */
  cacheTtlMs?: number;
  /** Sign-in limits (per address, per account, password checks at once); defaults in login-throttle.ts. */
  loginThrottle?: Partial<LoginThrottlePolicy>;
}
