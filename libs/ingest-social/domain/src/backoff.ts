export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Exponential backoff with full jitter: attempt 1 waits up to initialMs, doubling up to maxMs. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
