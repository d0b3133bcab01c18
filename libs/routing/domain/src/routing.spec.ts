import { CLASSIFIED_CATEGORIES } from '@klaxon/contracts';
import {
  DEFAULT_ESCALATION_POLICY,
  DEFAULT_ROOT_CAUSE_POLICY,
  DEMO_ORGANISATION,
  alwaysOn,
  chooseOwner,
  compareQueued,
  decideTeam,
  detectSpike,
  escalationsFor,
  identitiesOf,
  isWorkingAt,
  linkGroups,
  matchRule,
  reviewDue,
  validateRules,
  validateWorkingHours,
  weekly,
  type RoutingRequest,
  type TeamMember,
} from './index';

const req = (o: Partial<RoutingRequest> = {}): RoutingRequest => ({
  complaintId: 'cmp_00000000000000000001',
  category: 'delivery',
  channel: 'web',
  language: 'nl',
  priority: 'normal',
  ...o,
});
const member = (id: string, o: Partial<TeamMember> = {}): TeamMember => ({
  id,
  teamId: 't',
  name: id,
  role: 'handler',
  skills: { languages: ['nl', 'en'], categories: [], channels: [] },
  authority: { maxCompensation: 50 },
  capacity: 10,
  openCount: 0,
  lastAssignedAt: null,
  active: true,
  workingHours: alwaysOn(),
  absences: [],
  ...o,
});
// Tuesday 24 Nov 2026, 10:00 in Amsterdam (UTC+1).
const TUESDAY_10 = new Date('2026-11-24T09:00:00Z');

describe('working hours', () => {
  const office = weekly(['mon', 'tue', 'wed', 'thu', 'fri'], '09:00-17:00');

  it('reads the hours in their own time zone, across daylight saving time', () => {
    expect(isWorkingAt(office, new Date('2026-11-24T08:30:00Z'))).toBe(true); // 09:30 CET
    expect(isWorkingAt(office, new Date('2026-11-24T07:30:00Z'))).toBe(false); // 08:30 CET
    expect(isWorkingAt(office, new Date('2026-07-14T07:30:00Z'))).toBe(true); // 09:30 CEST
    expect(isWorkingAt(office, new Date('2026-11-28T10:00:00Z'))).toBe(false); // Saturday
    expect(isWorkingAt({ ...office, timeZone: 'America/New_York' }, new Date('2026-11-24T09:00:00Z'))).toBe(
      false,
    ); // 04:00 there
  });

  it('runs a night shift over midnight into the next day', () => {
    const nights = { timeZone: 'Europe/Amsterdam', days: { fri: ['22:00-06:00'] } };
    expect(isWorkingAt(nights, new Date('2026-11-27T22:30:00Z'))).toBe(true); // Fri 23:30
    expect(isWorkingAt(nights, new Date('2026-11-28T04:00:00Z'))).toBe(true); // Sat 05:00
    expect(isWorkingAt(nights, new Date('2026-11-28T05:30:00Z'))).toBe(false); // Sat 06:30
    expect(isWorkingAt(nights, new Date('2026-11-27T04:00:00Z'))).toBe(false); // Fri 05:00: Thursday had no shift
  });

  it('rejects unknown time zones and malformed intervals', () => {
    expect(() => validateWorkingHours({ timeZone: 'Mars/Olympus', days: {} })).toThrow(/time zone/);
    expect(() => validateWorkingHours({ timeZone: 'Europe/Amsterdam', days: { mon: ['9-5'] } })).toThrow(
      /09:00-17:00/,
    );
    expect(() =>
      validateWorkingHours({ timeZone: 'Europe/Amsterdam', days: { xyz: ['09:00-17:00'] } } as never),
    ).toThrow(/weekday/);
  });
});

describe('rules', () => {
  const teams = [
    { id: 'webcare', name: 'W', leadId: 'l' },
    { id: 'ams', name: 'A', leadId: 'l', unit: 'amsterdam' },
    { id: 'cs', name: 'C', leadId: 'l' },
  ];
  const rules = [
    { id: 'social', match: { channels: ['social'] }, teamId: 'webcare' },
    { id: 'decentral', match: {}, teamFromUnit: true },
    { id: 'critical', match: { priorities: ['critical' as const] }, teamId: 'cs', requiredAuthority: 500 },
  ];

  it('takes the first matching rule in order', () => {
    expect(matchRule(rules, req({ channel: 'social' }))?.id).toBe('social');
    expect(
      decideTeam({ teams, rules, defaultTeamId: 'cs' }, req({ channel: 'social', unit: 'amsterdam' })),
    ).toEqual({ teamId: 'webcare', ruleId: 'social', requiredAuthority: 0 });
  });

  it('routes decentrally to the team of the unit, and skips that rule where no team serves the unit', () => {
    expect(decideTeam({ teams, rules, defaultTeamId: 'cs' }, req({ unit: 'amsterdam' })).teamId).toBe('ams');
    expect(
      decideTeam({ teams, rules, defaultTeamId: 'cs' }, req({ unit: 'utrecht', priority: 'critical' })),
    ).toEqual({ teamId: 'cs', ruleId: 'critical', requiredAuthority: 500 });
    expect(decideTeam({ teams, rules, defaultTeamId: 'cs' }, req({ unit: 'utrecht' }))).toEqual({
      teamId: 'cs',
      ruleId: 'default-team',
      requiredAuthority: 0,
    });
  });

  it('reports rules that name unknown teams or none', () => {
    expect(
      validateRules(
        [
          { id: 'a', match: {}, teamId: 'nope' },
          { id: 'a', match: {} },
        ],
        new Set(['cs']),
      ),
    ).toEqual([
      'rules[0]: unknown team "nope"',
      'rules[1]: duplicate rule id "a"',
      'rules[1]: needs teamId or teamFromUnit',
    ]);
  });
});

describe('chooseOwner', () => {
  it('picks the least loaded available member, ties by longest idle', () => {
    const members = [
      member('busy', { openCount: 5 }),
      member('recent', { openCount: 1, lastAssignedAt: new Date('2026-11-24T08:00:00Z') }),
      member('idle', { openCount: 1, lastAssignedAt: new Date('2026-11-23T08:00:00Z') }),
    ];
    const choice = chooseOwner(members, req(), TUESDAY_10);
    expect(choice.member?.id).toBe('idle');
    expect(choice.candidates).toEqual([
      { memberId: 'busy', load: 5 },
      { memberId: 'recent', load: 1 },
      { memberId: 'idle', load: 1 },
    ]);
    expect(choice.chosenBecause).toMatch(/least loaded of 3 available/);
  });

  it('skips members off shift, absent, inactive or at capacity (also per channel), and leads', () => {
    const members = [
      member('off', { workingHours: weekly(['sat'], '09:00-17:00') }),
      member('away', {
        absences: [{ from: '2026-11-20T00:00:00Z', until: '2026-11-30T00:00:00Z', replacementId: 'ok' }],
      }),
      member('gone', { active: false }),
      member('full', { openCount: 10 }),
      member('no-social', { capacityByChannel: { social: 2 }, openByChannel: { social: 2 } }),
      member('lead', { role: 'team-lead' }),
      member('ok', { openCount: 9 }),
    ];
    expect(
      chooseOwner(members, req({ channel: 'social' }), TUESDAY_10).candidates.map((c) => c.memberId),
    ).toEqual(['ok']);
    expect(chooseOwner(members, req({ channel: 'web' }), TUESDAY_10).member?.id).toBe('no-social');
  });

  it('leaves it in the queue when nobody is available', () => {
    const choice = chooseOwner(
      [member('off', { workingHours: weekly(['sat'], '09:00-17:00') })],
      req(),
      TUESDAY_10,
    );
    expect(choice).toMatchObject({ member: null, candidates: [] });
    expect(choice.chosenBecause).toMatch(/off shift/);
  });

  it('needs the skills someone in the team has, and waives those nobody has', () => {
    const members = [
      member('nl', { skills: { languages: ['nl'], categories: ['delivery'], channels: [] } }),
      member('en', { skills: { languages: ['en'], categories: ['delivery'], channels: [] } }),
    ];
    expect(chooseOwner(members, req({ language: 'en' }), TUESDAY_10).member?.id).toBe('en');
    const german = chooseOwner(members, req({ language: 'de' }), TUESDAY_10);
    expect(german.candidates).toHaveLength(2);
    expect(german.chosenBecause).toMatch(/nobody in the team has language de/);
    // The English speaker is off shift: the English complaint waits rather than going to someone who cannot read it.
    const waiting = chooseOwner(
      [members[0], { ...members[1], workingHours: weekly(['sat'], '09:00-17:00') }],
      req({ language: 'en' }),
      TUESDAY_10,
    );
    expect(waiting.member).toBeNull();
  });

  it('prefers members with enough authority, and flags when no available one has it', () => {
    const members = [
      member('handler', { authority: { maxCompensation: 50 } }),
      member('senior', { role: 'senior', openCount: 4, authority: { maxCompensation: 500 } }),
    ];
    const ok = chooseOwner(members, req({ requiredAuthority: 300 }), TUESDAY_10);
    expect(ok).toMatchObject({ member: { id: 'senior' }, exceedsAuthority: false });
    const tooMuch = chooseOwner(members, req({ requiredAuthority: 5_000 }), TUESDAY_10);
    expect(tooMuch).toMatchObject({ member: { id: 'handler' }, exceedsAuthority: true });
    expect(
      escalationsFor(
        {
          reputationalRisk: false,
          recentComplaintsOfCustomer: 1,
          exceedsAuthority: tooMuch.exceedsAuthority,
          requiredAuthority: 5_000,
        },
        DEFAULT_ESCALATION_POLICY,
      ),
    ).toEqual([
      {
        trigger: 'authority',
        level: 'team-lead',
        reason: 'needs authority to grant €5000, more than the owner has',
      },
    ]);
  });
});

describe('escalation and signals', () => {
  it('sends a reputational risk to the team lead and the executive at once', () => {
    const found = escalationsFor(
      { reputationalRisk: true, recentComplaintsOfCustomer: 1, exceedsAuthority: false },
      DEFAULT_ESCALATION_POLICY,
    );
    expect(found.map((e) => `${e.trigger}:${e.level}`)).toEqual([
      'reputational-risk:team-lead',
      'reputational-risk:executive',
    ]);
    expect(
      escalationsFor(
        { reputationalRisk: false, recentComplaintsOfCustomer: 1, exceedsAuthority: false, reach: 50_000 },
        DEFAULT_ESCALATION_POLICY,
      ),
    ).toHaveLength(2);
  });

  it('escalates the third complaint of a customer within the window, not the second', () => {
    const policy = DEFAULT_ESCALATION_POLICY;
    expect(
      escalationsFor(
        { reputationalRisk: false, recentComplaintsOfCustomer: 2, exceedsAuthority: false },
        policy,
      ),
    ).toEqual([]);
    expect(
      escalationsFor(
        { reputationalRisk: false, recentComplaintsOfCustomer: 3, exceedsAuthority: false },
        policy,
      ),
    ).toEqual([
      {
        trigger: 'repeat-complainant',
        level: 'team-lead',
        reason: '3 complaints of this customer in 90 days (threshold 3)',
      },
    ]);
  });

  it('opens a root-cause review at three of a category and flags a spike against the usual rate', () => {
    expect(reviewDue(2, false, DEFAULT_ROOT_CAUSE_POLICY)).toBe(false);
    expect(reviewDue(3, false, DEFAULT_ROOT_CAUSE_POLICY)).toBe(true);
    expect(reviewDue(4, true, DEFAULT_ROOT_CAUSE_POLICY)).toBe(false);
    expect(detectSpike(12, 56, DEFAULT_ROOT_CAUSE_POLICY).spike).toBe(true); // usual 2 a day
    expect(detectSpike(4, 56, DEFAULT_ROOT_CAUSE_POLICY).spike).toBe(false);
    expect(detectSpike(5, 280, DEFAULT_ROOT_CAUSE_POLICY).spike).toBe(false); // usual 10 a day
  });

  it('orders a queue by priority, then age', () => {
    const q = [
      { id: 'a', priority: 'normal' as const, receivedAt: '2026-11-24T08:00:00Z' },
      { id: 'b', priority: 'critical' as const, receivedAt: '2026-11-24T09:00:00Z' },
      { id: 'c', priority: 'normal' as const, receivedAt: '2026-11-24T07:00:00Z' },
    ];
    expect([...q].sort(compareQueued).map((x) => x.id)).toEqual(['b', 'c', 'a']);
  });

  it('normalises identities for linking across channels', () => {
    expect(
      identitiesOf({
        email: ' Anna@Example.NL',
        phone: '06 12345678',
        handle: '@Anna_NL',
        customerNumber: ' k-123 ',
      }),
    ).toEqual([
      { kind: 'email', value: 'anna@example.nl' },
      { kind: 'phone', value: '+31612345678' },
      { kind: 'handle', value: 'anna_nl' },
      { kind: 'customer-number', value: 'K-123' },
    ]);
    expect(identitiesOf({ phone: '+31 6 1234 5678' })).toEqual(identitiesOf({ phone: '0031612345678' }));
    expect(identitiesOf({ phone: 'call me' })).toEqual([]);
  });
});

describe('the demo organisation', () => {
  const org = DEMO_ORGANISATION;

  it('is consistent: valid rules and hours, unique ids and e-mails, one lead of every team, one executive', () => {
    expect(validateRules(org.rules, new Set(org.teams.map((t) => t.id)))).toEqual([]);
    for (const m of org.members) validateWorkingHours(m.workingHours);
    expect(new Set(org.members.map((m) => m.id)).size).toBe(org.members.length);
    expect(new Set(org.members.map((m) => m.email)).size).toBe(org.members.length);
    const lead = org.members.find((m) => m.email === 'lead@demo.local');
    expect(lead?.role).toBe('team-lead');
    expect(org.teams.every((t) => t.leadId === lead?.id)).toBe(true);
    expect(org.members.filter((m) => m.role === 'executive')).toHaveLength(1);
    expect(org.members.find((m) => m.email === 'handler@demo.local')?.role).toBe('handler');
    expect(org.members.find((m) => m.email === 'webcare@demo.local')?.teamId).toBe('webcare');
    for (const team of org.teams) {
      const roles = org.members.filter((m) => m.teamId === team.id).map((m) => m.role);
      expect(roles).toEqual(expect.arrayContaining(['handler', 'senior']));
    }
  });

  it('assigns every kind of complaint at any hour of the week, summer and winter', () => {
    const categories = [...CLASSIFIED_CATEGORIES, 'from-an-old-model'];
    const starts = [Date.parse('2026-11-23T00:00:00Z'), Date.parse('2026-07-13T00:00:00Z')];
    for (const start of starts) {
      for (let h = 0; h < 7 * 24; h += 1) {
        const at = new Date(start + h * 3_600_000 + 17 * 60_000);
        for (const channel of ['web', 'email', 'phone', 'social']) {
          for (const category of categories) {
            for (const language of ['nl', 'en']) {
              const r = req({ channel, category, language, priority: 'critical' });
              const { teamId } = decideTeam(org, r);
              const choice = chooseOwner(
                org.members.filter((m) => m.teamId === teamId),
                r,
                at,
              );
              if (!choice.member)
                throw new Error(
                  `${at.toISOString()} ${channel}/${category}/${language} → ${teamId}: ${choice.chosenBecause}`,
                );
            }
          }
        }
      }
    }
  });

  it('routes social to webcare and critical billing to someone who may refund €500', () => {
    expect(decideTeam(org, req({ channel: 'social', category: 'price-billing' })).teamId).toBe('webcare');
    const billing = req({
      category: 'price-billing',
      priority: 'critical',
      requiredAuthority: decideTeam(org, req({ category: 'price-billing', priority: 'critical' }))
        .requiredAuthority,
    });
    const choice = chooseOwner(
      org.members.filter((m) => m.teamId === 'billing'),
      billing,
      TUESDAY_10,
    );
    expect(choice).toMatchObject({ member: { id: 'm-billing-senior' }, exceedsAuthority: false });
  });
});

describe('link groups (undoing a wrong link)', () => {
  it('splits what no longer holds together and keeps the oldest group first', () => {
    const links = [
      { complaintId: 'c1', kind: 'email' as const, value: 'anna@example.nl' },
      { complaintId: 'c2', kind: 'email' as const, value: 'anna@example.nl' },
      { complaintId: 'c2', kind: 'phone' as const, value: '+31612345678' },
      { complaintId: 'c3', kind: 'phone' as const, value: '+31612345678' },
    ];
    expect(linkGroups(links, ['c1', 'c2', 'c3'])).toEqual([
      { complaintIds: ['c1', 'c2', 'c3'], identities: ['email:anna@example.nl', 'phone:+31612345678'] },
    ]);
    // Undo "c2 carried the phone number": c3 is somebody else.
    expect(
      linkGroups(
        links.filter((l) => !(l.complaintId === 'c2' && l.kind === 'phone')),
        ['c1', 'c2', 'c3'],
      ),
    ).toEqual([
      { complaintIds: ['c1', 'c2'], identities: ['email:anna@example.nl'] },
      { complaintIds: ['c3'], identities: ['phone:+31612345678'] },
    ]);
  });
});
