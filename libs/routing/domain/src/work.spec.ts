import {
  DEMO_ORGANISATION,
  alwaysOn,
  chooseFollowUpOwner,
  dueAfterWorkingDays,
  teamForCategory,
  weekly,
  type TeamMember,
} from './index';

const member = (id: string, o: Partial<TeamMember> = {}): TeamMember => ({
  id,
  teamId: 't',
  name: id,
  role: 'senior',
  skills: { languages: [], categories: [], channels: [] },
  authority: { maxCompensation: 250 },
  capacity: 8,
  openCount: 0,
  lastAssignedAt: null,
  active: true,
  workingHours: weekly(['mon', 'tue', 'wed', 'thu', 'fri'], '09:00-17:00'),
  absences: [],
  ...o,
});
// Tuesday 24 Nov 2026, 10:00 in Amsterdam; 22:00 the same day.
const TUESDAY_10 = new Date('2026-11-24T09:00:00Z');
const TUESDAY_22 = new Date('2026-11-24T21:00:00Z');

describe('who does a low-CSAT follow-up', () => {
  const lead = member('lead', { role: 'team-lead' });

  it('a senior of the team, on shift first, then fewest open follow-ups, then least loaded', () => {
    const team = [
      member('handler', { role: 'handler' }),
      member('busy', { openCount: 6 }),
      member('free'),
      member('night', { workingHours: weekly(['tue'], '20:00-23:00') }),
    ];
    expect(chooseFollowUpOwner(team, lead, new Map(), TUESDAY_10)).toMatchObject({
      member: { id: 'free' },
      role: 'senior',
    });
    expect(chooseFollowUpOwner(team, lead, new Map([['free', 2]]), TUESDAY_10).member?.id).toBe('busy');
    // At night only one senior works: theirs, even with more follow-ups open.
    expect(chooseFollowUpOwner(team, lead, new Map([['night', 5]]), TUESDAY_22)).toMatchObject({
      member: { id: 'night' },
      chosenBecause: expect.stringContaining('the only senior on shift'),
    });
  });

  it('a senior off shift rather than nobody; the team lead when no senior can (absent, inactive, none)', () => {
    const offShift = chooseFollowUpOwner([member('s1')], lead, new Map(), TUESDAY_22);
    expect(offShift).toMatchObject({ member: { id: 's1' }, role: 'senior' });
    const absent = member('s1', {
      absences: [{ from: '2026-11-23T00:00:00Z', until: '2026-11-30T00:00:00Z' }],
    });
    expect(
      chooseFollowUpOwner([absent, member('s2', { active: false })], lead, new Map(), TUESDAY_10),
    ).toMatchObject({
      member: { id: 'lead' },
      role: 'team-lead',
      chosenBecause: expect.stringContaining('no senior of t is available'),
    });
    expect(
      chooseFollowUpOwner([member('h', { role: 'handler' })], lead, new Map(), TUESDAY_10).chosenBecause,
    ).toMatch(/t has no senior: the team lead/);
    expect(chooseFollowUpOwner([], undefined, new Map(), TUESDAY_10)).toMatchObject({
      member: null,
      role: null,
    });
  });
});

describe('when a root-cause review is due', () => {
  const office = weekly(['mon', 'tue', 'wed', 'thu', 'fri'], '09:00-17:30');

  it('at the end of the owner’s Nth working day after it opened', () => {
    // Tuesday → Wed, Thu, Fri, Mon, Tue: Tuesday a week later at 17:30.
    expect(dueAfterWorkingDays(office, [], TUESDAY_10, 5).toISOString()).toBe('2026-12-01T16:30:00.000Z');
    // Friday evening → Monday.
    expect(dueAfterWorkingDays(office, [], new Date('2026-11-27T19:00:00Z'), 1).toISOString()).toBe(
      '2026-11-30T16:30:00.000Z',
    );
  });

  it('skips the days the owner is away, and works round the clock for an on-call owner', () => {
    const away = [{ from: '2026-11-25T00:00:00+01:00', until: '2026-11-27T00:00:00+01:00' }]; // Wed and Thu
    expect(dueAfterWorkingDays(office, away, TUESDAY_10, 1).toISOString()).toBe('2026-11-27T16:30:00.000Z');
    expect(dueAfterWorkingDays(alwaysOn(), [], TUESDAY_10, 5).toISOString()).toBe('2026-11-29T23:00:00.000Z');
    // No working days at all: office days.
    expect(
      dueAfterWorkingDays({ timeZone: 'Europe/Amsterdam', days: {} }, [], TUESDAY_10, 1).toISOString(),
    ).toBe('2026-11-25T16:00:00.000Z');
  });
});

describe('the team of a category', () => {
  it('is where the rules send it, regardless of channel or priority conditions; else the default team', () => {
    expect(teamForCategory(DEMO_ORGANISATION, 'delivery')).toBe('logistics');
    expect(teamForCategory(DEMO_ORGANISATION, 'price-billing')).toBe('billing'); // not only critical billing
    expect(teamForCategory(DEMO_ORGANISATION, 'staff')).toBe('customer-service');
    expect(teamForCategory(DEMO_ORGANISATION, 'uncategorised')).toBe('customer-service');
  });
});
