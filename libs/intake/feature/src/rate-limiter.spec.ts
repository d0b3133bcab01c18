import { SlidingWindowLimiter } from './rate-limiter';

describe('SlidingWindowLimiter', () => {
  it('allows the limit per window and client, then frees slots as they age out', () => {
    let now = 1_000_000;
    const limiter = new SlidingWindowLimiter(3, 60_000, () => now);
    expect([1, 2, 3].map(() => limiter.hit('a').allowed)).toEqual([true, true, true]);
    expect(limiter.hit('a')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(limiter.hit('b').allowed).toBe(true);
    now += 30_000;
    expect(limiter.hit('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    now += 30_001;
    expect(limiter.hit('a').allowed).toBe(true);
  });

  it('stays bounded in memory', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(1, 1_000, () => now, 10);
    for (let i = 0; i < 25; i++) {
      now += 10;
      expect(limiter.hit(`client-${i}`).allowed).toBe(true);
    }
    expect((limiter as unknown as { hits: Map<string, number[]> }).hits.size).toBeLessThanOrEqual(10);
  });
});
