/** Exponential backoff: attempt 1 waits about `base` ms, each next one twice as long, never more than `cap`. */
export interface BackoffPolicy {
  base: number;
  cap: number;
}

/**
 * The one backoff of the platform: exponential, capped, with "equal jitter" (half of the ceiling fixed,
 * half random) so replicas that failed together do not retry in step, and no wait is ever zero.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 52);
  const ceiling = Math.max(0, Math.min(policy.cap, policy.base * 2 ** exponent));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
