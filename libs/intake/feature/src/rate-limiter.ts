/**
 * Per-client sliding-window limit (e.g. 10 form posts a minute per IP), in this replica's memory:
 * with N replicas behind a load balancer a client gets at most N × the limit.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxClients = 100_000,
  ) {}

  /** Counts a hit; `allowed` false once the client used up its window, with the seconds until a slot frees. */
  hit(client: string): { allowed: boolean; retryAfterSeconds: number } {
    const now = this.now();
    const recent = (this.hits.get(client) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(client, recent);
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((recent[0] + this.windowMs - now) / 1000)),
      };
    }
    recent.push(now);
    if (!this.hits.has(client) && this.hits.size >= this.maxClients) this.prune(now);
    this.hits.set(client, recent);
    return { allowed: true, retryAfterSeconds: 0 };
  }

  private prune(now: number): void {
    for (const [client, times] of this.hits)
      if (!times.some((t) => t > now - this.windowMs)) this.hits.delete(client);
    if (this.hits.size >= this.maxClients) this.hits.clear();
  }
}
