import { BusinessCalendar, DEFAULT_CALENDAR } from './calendar';
import {
  DEFAULT_POLICIES,
  computeClock,
  computeDeadlines,
  deadlineWithPauses,
  selectPolicy,
  validatePolicies,
  type SlaPolicy,
} from './policy';
import { planClocks } from './plan';

const H = 3_600_000;
const cal = new BusinessCalendar(DEFAULT_CALENDAR);
const at = (iso: string) => new Date(iso);
const fmt = (d: Date | null) => (d ? cal.format(d) : null);

describe('validatePolicies', () => {
  it('accepts the shipped policies and refuses conditions outside the taxonomy', () => {
    expect(validatePolicies(DEFAULT_POLICIES)).toEqual([]);
    const odd = {
      id: 'odd',
      when: { category: ['price-billing', 'invoices'], priority: ['urgent'] },
      clocks: DEFAULT_POLICIES[0].clocks,
    } as unknown as SlaPolicy;
    expect(validatePolicies([odd, ...DEFAULT_POLICIES])).toEqual([
      expect.stringMatching(/^policies\[0\] \(odd\)\.when\.category\[1\]: unknown category "invoices"/),
      expect.stringMatching(/^policies\[0\] \(odd\)\.when\.priority\[0\]: unknown priority "urgent"/),
    ]);
  });
});

describe('selectPolicy', () => {
  const policies: SlaPolicy[] = [
    { id: 'vip-social', when: { channel: ['social'], segment: ['vip'] }, clocks: DEFAULT_POLICIES[0].clocks },
    {
      id: 'billing-high',
      when: { priority: ['high', 'critical'], category: ['price-billing'] },
      clocks: DEFAULT_POLICIES[1].clocks,
    },
    ...DEFAULT_POLICIES,
  ];
  it('takes the first policy whose conditions all hold', () => {
    expect(
      selectPolicy(policies, { priority: 'normal', channel: 'social', category: 'delivery', segment: 'vip' })
        .id,
    ).toBe('vip-social');
    expect(selectPolicy(policies, { priority: 'normal', channel: 'social', category: 'delivery' }).id).toBe(
      'normal',
    );
    expect(
      selectPolicy(policies, { priority: 'critical', channel: 'web', category: 'price-billing' }).id,
    ).toBe('billing-high');
    expect(selectPolicy(policies, { priority: 'critical', channel: 'web', category: 'delivery' }).id).toBe(
      'critical',
    );
  });
  it('says so when nothing matches', () => {
    expect(() =>
      selectPolicy(policies.slice(0, 2), { priority: 'normal', channel: 'web', category: 'x' }),
    ).toThrow(/no SLA policy/);
  });
});

describe('computeDeadlines with the default policies', () => {
  it('normal: acknowledgement 1 h and owner 2 h in wall time, first response 3 working days across a weekend, warning at 75 %', () => {
    const received = at('2026-11-27T15:00:00+01:00'); // Friday
    const d = Object.fromEntries(
      computeDeadlines(
        selectPolicy(DEFAULT_POLICIES, { priority: 'normal', channel: 'email', category: 'delivery' }),
        received,
        cal,
      ).map((x) => [x.clock, x]),
    );
    expect(fmt(d['acknowledgement'].deadline)).toBe('2026-11-27T16:00:00.000+01:00');
    expect(fmt(d['acknowledgement'].warnAt)).toBe('2026-11-27T15:45:00.000+01:00');
    expect(fmt(d['owner'].deadline)).toBe('2026-11-27T17:00:00.000+01:00');
    expect(d['first-response'].time).toBe('working');
    expect(fmt(d['first-response'].deadline)).toBe('2026-12-02T15:00:00.000+01:00');
    expect(fmt(d['first-response'].warnAt)).toBe('2026-12-01T17:00:00.000+01:00');
    expect(fmt(d['resolution'].deadline)).toBe('2026-12-11T15:00:00.000+01:00');
  });

  it('critical: first response 1 wall hour across the spring DST change', () => {
    const d = computeDeadlines(
      selectPolicy(DEFAULT_POLICIES, { priority: 'critical', channel: 'social', category: 'product' }),
      at('2026-03-29T01:30:00+01:00'),
      cal,
    );
    const first = d.find((x) => x.clock === 'first-response')!;
    expect(first.time).toBe('wall');
    expect(fmt(first.deadline)).toBe('2026-03-29T03:30:00.000+02:00');
  });

  it('high: 24 wall hours across the autumn DST change land one local hour earlier', () => {
    const d = computeDeadlines(
      selectPolicy(DEFAULT_POLICIES, { priority: 'high', channel: 'web', category: 'product' }),
      at('2026-10-24T12:00:00+02:00'),
      cal,
    );
    expect(fmt(d.find((x) => x.clock === 'first-response')!.deadline)).toBe('2026-10-25T11:00:00.000+01:00');
  });

  it('normal across Koningsdag and Kerstmis', () => {
    const normal = DEFAULT_POLICIES[2];
    expect(fmt(computeDeadlines(normal, at('2026-04-24T16:00:00+02:00'), cal)[2].deadline)).toBe(
      '2026-04-30T16:00:00.000+02:00',
    );
    expect(fmt(computeDeadlines(normal, at('2026-12-24T10:00:00+01:00'), cal)[2].deadline)).toBe(
      '2026-12-30T10:00:00.000+01:00',
    );
  });
});

describe('pause arithmetic (waiting on the customer)', () => {
  const received = at('2026-11-30T09:00:00+01:00'); // Monday
  it('does not count the paused working time', () => {
    // 2 h used, paused Mon 11:00 → Wed 14:00; 22 h left: Wed 3, Thu 8, Fri 8, Mon 3 → Mon 7 Dec 12:00.
    const r = deadlineWithPauses('working', cal, received, 24 * H, [
      { from: at('2026-11-30T11:00:00+01:00'), to: at('2026-12-02T14:00:00+01:00') },
    ]);
    expect(fmt(r.deadline)).toBe('2026-12-07T12:00:00.000+01:00');
  });
  it('leaves the deadline open while the customer has not answered, with the time used so far', () => {
    const r = deadlineWithPauses('working', cal, received, 24 * H, [
      { from: at('2026-11-30T11:00:00+01:00') },
    ]);
    expect(r).toEqual({ deadline: null, consumedMs: 2 * H });
  });
  it('ignores a pause that starts after the deadline, and counts wall time for wall clocks', () => {
    expect(
      fmt(
        deadlineWithPauses('working', cal, received, 2 * H, [{ from: at('2026-11-30T12:00:00+01:00') }])
          .deadline,
      ),
    ).toBe('2026-11-30T11:00:00.000+01:00');
    const wall = computeClock('first-response', { hours: 24, time: 'wall' }, received, cal, {
      pauses: [{ from: at('2026-11-30T10:00:00+01:00'), to: at('2026-11-30T16:00:00+01:00') }],
    });
    expect(fmt(wall.deadline)).toBe('2026-12-01T15:00:00.000+01:00');
    expect(fmt(wall.warnAt)).toBe('2026-12-01T09:00:00.000+01:00');
  });
});

describe('planClocks (replaying the history)', () => {
  const facts = { priority: 'normal' as const, channel: 'web' as const, category: 'delivery' };
  const received = at('2026-11-27T15:00:00+01:00');
  const plan = (history: Parameters<typeof planClocks>[0]['history']) =>
    Object.fromEntries(
      planClocks({ policies: DEFAULT_POLICIES, calendar: cal, facts, receivedAt: received, history }).map(
        (c) => [c.clock, c],
      ),
    );

  it('meets clocks by the actions that satisfy them', () => {
    const p = plan([
      { at: at('2026-11-27T15:01:00+01:00'), action: 'assigned' },
      { at: at('2026-11-27T15:20:00+01:00'), action: 'acknowledged' },
    ]);
    expect(p['owner'].status).toBe('met');
    expect(p['acknowledgement'].metAt).toEqual(at('2026-11-27T15:20:00+01:00'));
    expect(p['first-response'].status).toBe('running');
  });

  it('recomputes from the received time when the priority is corrected', () => {
    const p = plan([
      { at: at('2026-11-27T15:30:00+01:00'), action: 'corrected', correction: { priority: 'critical' } },
    ]);
    expect(p['first-response'].policy).toBe('critical');
    expect(fmt(p['first-response'].deadline)).toBe('2026-11-27T16:00:00.000+01:00');
  });

  it('pauses the running clocks while waiting on the customer and resumes them on the reply', () => {
    const waiting = plan([{ at: at('2026-11-27T16:00:00+01:00'), action: 'waiting-on-customer' }]);
    expect(waiting['first-response']).toMatchObject({ status: 'paused', deadline: null });
    expect(waiting['acknowledgement'].status).toBe('running');
    const replied = plan([
      { at: at('2026-11-27T16:00:00+01:00'), action: 'waiting-on-customer' },
      { at: at('2026-12-01T09:00:00+01:00'), action: 'customer-replied' },
    ]);
    // 1 h used on Friday; 23 h from Tue 09:00: Tue 8, Wed 8, Thu 7 → Thu 3 Dec 16:00.
    expect(fmt(replied['first-response'].deadline)).toBe('2026-12-03T16:00:00.000+01:00');
    expect(replied['first-response'].status).toBe('running');
  });

  it('reopening restarts the resolution clock; a low CSAT opens a follow-up of two working days', () => {
    const p = plan([
      { at: at('2026-12-01T10:00:00+01:00'), action: 'resolved' },
      { at: at('2026-12-02T10:00:00+01:00'), action: 'csat-received', csatScore: 2 },
      { at: at('2026-12-02T11:00:00+01:00'), action: 'reopened' },
    ]);
    expect(p['first-response'].status).toBe('met');
    expect(p['resolution']).toMatchObject({ status: 'running', startedAt: at('2026-12-02T11:00:00+01:00') });
    expect(fmt(p['csat-follow-up'].deadline)).toBe('2026-12-04T10:00:00.000+01:00');
    expect(
      plan([{ at: at('2026-12-02T10:00:00+01:00'), action: 'csat-received', csatScore: 4 }])[
        'csat-follow-up'
      ],
    ).toBeUndefined();
  });

  it('the follow-up counts two working days over a weekend, opens on "still open" too, and its outcome meets it', () => {
    // Saturday's low score: Monday and Tuesday are the two working days.
    const weekend = plan([{ at: at('2026-12-05T10:00:00+01:00'), action: 'csat-received', csatScore: 2 }]);
    expect(fmt(weekend['csat-follow-up'].deadline)).toBe('2026-12-08T17:00:00.000+01:00');
    const stillOpen = plan([
      { at: at('2026-12-02T10:00:00+01:00'), action: 'csat-received', csatScore: 4, csatStillOpen: true },
    ]);
    expect(stillOpen['csat-follow-up'].status).toBe('running');
    const done = plan([
      { at: at('2026-12-02T10:00:00+01:00'), action: 'csat-received', csatScore: 1 },
      { at: at('2026-12-03T09:30:00+01:00'), action: 'responded', followUpDone: true },
    ]);
    expect(done['csat-follow-up']).toMatchObject({ status: 'met', metAt: at('2026-12-03T09:30:00+01:00') });
    // A second low score after the first follow-up was done opens a new one; while one runs, it does not.
    const again = plan([
      { at: at('2026-12-02T10:00:00+01:00'), action: 'csat-received', csatScore: 1 },
      { at: at('2026-12-02T11:00:00+01:00'), action: 'csat-received', csatScore: 2 },
    ]);
    expect(again['csat-follow-up'].startedAt).toEqual(at('2026-12-02T10:00:00+01:00'));
    const next = plan([
      { at: at('2026-12-02T10:00:00+01:00'), action: 'csat-received', csatScore: 1 },
      { at: at('2026-12-02T12:00:00+01:00'), action: 'reopened', followUpDone: true },
      { at: at('2026-12-07T10:00:00+01:00'), action: 'csat-received', csatScore: 2 },
    ]);
    expect(next['csat-follow-up']).toMatchObject({
      status: 'running',
      startedAt: at('2026-12-07T10:00:00+01:00'),
    });
  });
});
