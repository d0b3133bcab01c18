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

  it('counts reviews per unit, sets their due days and their owner when told', () => {
    expect(routingOptionsFromEnv({}).rootCause).toMatchObject({ byUnit: false, reviewDueWorkingDays: 5 });
    expect(routingOptionsFromEnv({}).rootCause).not.toHaveProperty('ownerId');
    expect(
      routingOptionsFromEnv({
        ROUTER_ROOT_CAUSE_BY_UNIT: 'true',
        ROUTER_REVIEW_DUE_WORKING_DAYS: '10',
        ROUTER_REVIEW_OWNER_ID: 'm-quality',
      }).rootCause,
    ).toMatchObject({ byUnit: true, reviewDueWorkingDays: 10, ownerId: 'm-quality' });
    expect(() => routingOptionsFromEnv({ ROUTER_REVIEW_DUE_WORKING_DAYS: '0' })).toThrow(
      /ROUTER_REVIEW_DUE_WORKING_DAYS/,
    );
  });
});
