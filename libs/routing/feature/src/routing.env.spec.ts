import { routingOptionsFromEnv } from './routing.env';

describe('routingOptionsFromEnv', () => {
  it('defaults to the brief: 3 complaints in 90 days, 3 of a category in a week', () => {
    expect(routingOptionsFromEnv({})).toMatchObject({
      escalation: { repeatCount: 3, repeatWindowDays: 90, reachThreshold: 10_000 },
      rootCause: { reviewCount: 3, reviewWindowDays: 7 },
      queueScanIntervalMs: 15_000,
    });
  });

  it('takes thresholds from the environment and refuses nonsense with the variable named', () => {
    expect(
      routingOptionsFromEnv({ ROUTER_REPEAT_COUNT: '4', ROUTER_REPEAT_WINDOW_DAYS: '30' }).escalation,
    ).toMatchObject({ repeatCount: 4, repeatWindowDays: 30 });
    expect(() => routingOptionsFromEnv({ ROUTER_REPEAT_COUNT: 'three' })).toThrow(/ROUTER_REPEAT_COUNT/);
  });
});
