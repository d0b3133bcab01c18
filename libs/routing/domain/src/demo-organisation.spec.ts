import { COMPLAINT_CATEGORIES, PRIORITIES, UNCATEGORISED, type ComplaintCategory } from '@klaxon/contracts';
import {
  chooseOwner,
  decideTeam,
  DEMO_ORGANISATION,
  validateOrganisation,
  validateRules,
  type OrganisationConfig,
  type RoutingRequest,
  type RoutingRule,
} from './index';

const org = DEMO_ORGANISATION;
// Tuesday 24 Nov 2026, 10:00 in Amsterdam: office hours.
const TUESDAY_10 = new Date('2026-11-24T09:00:00Z');

/** The demo team whose purpose each category is. */
const PURPOSE: Record<ComplaintCategory, string> = {
  'price-billing': 'billing',
  delivery: 'logistics',
  product: 'product',
  communication: 'customer-service',
  staff: 'customer-service',
};

const request = (o: Partial<RoutingRequest>): RoutingRequest => ({
  complaintId: 'cmp_00000000000000000001',
  category: 'delivery',
  channel: 'web',
  priority: 'normal',
  language: 'nl',
  ...o,
});

describe('the shipped demo organisation and the taxonomy', () => {
  it.each(COMPLAINT_CATEGORIES)(
    'routes %s by a rule to the team whose purpose it is, on every private channel, priority and language',
    (category) => {
      for (const channel of ['web', 'email', 'phone'])
        for (const priority of PRIORITIES)
          for (const language of ['nl', 'en']) {
            const req = request({ category, channel, priority, language });
            const decision = decideTeam(org, req);
            const what = `${category}/${channel}/${priority}/${language}`;
            expect([what, decision.ruleId === 'default-team', decision.teamId]).toEqual([
              what,
              false,
              PURPOSE[category],
            ]);
            // Someone of that team takes it, with the authority the rule asks.
            const choice = chooseOwner(
              org.members.filter((m) => m.teamId === decision.teamId),
              { ...req, requiredAuthority: decision.requiredAuthority },
              TUESDAY_10,
            );
            expect([what, choice.member?.teamId, choice.exceedsAuthority]).toEqual([
              what,
              PURPOSE[category],
              false,
            ]);
          }
    },
  );

  it('sends a public post of any category to webcare, and only an uncategorised complaint to the default team', () => {
    for (const category of COMPLAINT_CATEGORIES)
      expect(decideTeam(org, request({ category, channel: 'social' })).teamId).toBe('webcare');
    expect(decideTeam(org, request({ category: UNCATEGORISED }))).toMatchObject({
      teamId: org.defaultTeamId,
      ruleId: 'default-team',
    });
  });

  it('is a valid organisation', () => {
    expect(validateOrganisation(org)).toEqual([]);
  });
});

describe('rule validation against the taxonomy', () => {
  const teams = new Set(org.teams.map((t) => t.id));
  const rule = (match: object): RoutingRule => ({ id: 'r', match, teamId: 'billing' }) as RoutingRule;

  it('refuses a category or priority outside the taxonomy, naming where it is', () => {
    expect(validateRules([rule({ categories: ['price-billing', 'billing'] })], teams)).toEqual([
      expect.stringMatching(
        /^rules\[0\]\.match\.categories\[1\]: unknown category "billing" \(the taxonomy: delivery, product, communication, price-billing, staff, uncategorised\)$/,
      ),
    ]);
    expect(validateRules([rule({ priorities: ['urgent'] })], teams)).toEqual([
      expect.stringMatching(/^rules\[0\]\.match\.priorities\[0\]: unknown priority "urgent"/),
    ]);
    expect(validateRules([rule({ categories: [...COMPLAINT_CATEGORIES, UNCATEGORISED] })], teams)).toEqual(
      [],
    );
  });

  it('refuses an organisation with a member skilled in a category outside the taxonomy', () => {
    const bad: OrganisationConfig = structuredClone(org);
    (bad.members[3].skills as { categories: string[] }).categories = ['price'];
    expect(validateOrganisation(bad)).toEqual([
      expect.stringMatching(
        /^members\[3\] \(m-webcare-2\)\.skills\.categories\[0\]: unknown category "price"/,
      ),
    ]);
  });
});
