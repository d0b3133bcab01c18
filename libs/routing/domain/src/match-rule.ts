import { CLASSIFIED_CATEGORIES, PRIORITIES, isClassifiedCategory } from '@klaxon/contracts';
import type { OrganisationConfig, RoutingRequest, RoutingRule, RuleMatch } from './organisation';

function listMatches(list: readonly string[] | undefined, value: string | undefined): boolean {
  if (!list || list.length === 0) return true;
  return value !== undefined && list.some((v) => v.toLowerCase() === value.toLowerCase());
}

export function ruleMatches(match: RuleMatch, req: RoutingRequest): boolean {
  return (
    listMatches(match.categories, req.category) &&
    listMatches(match.channels, req.channel) &&
    listMatches(match.languages, req.language) &&
    listMatches(match.priorities, req.priority) &&
    listMatches(match.segments, req.segment) &&
    listMatches(match.units, req.unit)
  );
}

/** The first rule (in order) that matches the request, or null. */
export function matchRule(rules: readonly RoutingRule[], req: RoutingRequest): RoutingRule | null {
  return rules.find((r) => ruleMatches(r.match, req)) ?? null;
}

export interface TeamDecision {
  teamId: string;
  /** The id of the rule that decided, or `default-team`. */
  ruleId: string;
  requiredAuthority: number;
}

/**
 * Which team takes the request: the first matching rule (a `teamFromUnit` rule picks the team of the unit
 * where it landed and is skipped when no team serves that unit), else the default team.
 */
export function decideTeam(
  org: Pick<OrganisationConfig, 'rules' | 'teams' | 'defaultTeamId'>,
  req: RoutingRequest,
): TeamDecision {
  for (const rule of org.rules) {
    if (!ruleMatches(rule.match, req)) continue;
    const teamId = rule.teamFromUnit
      ? org.teams.find((t) => t.unit !== undefined && t.unit === req.unit)?.id
      : rule.teamId;
    if (!teamId) continue;
    return {
      teamId,
      ruleId: rule.id,
      requiredAuthority: Math.max(rule.requiredAuthority ?? 0, req.requiredAuthority ?? 0),
    };
  }
  return { teamId: org.defaultTeamId, ruleId: 'default-team', requiredAuthority: req.requiredAuthority ?? 0 };
}

/**
 * Problems with a rule set (unknown teams, rules without a team, categories or priorities outside the
 * taxonomy: such a rule would never match what the classifier says, and its complaints would land with
 * the default team).
 */
export function validateRules(rules: readonly RoutingRule[], teamIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.id)) problems.push(`rules[${i}]: duplicate rule id "${r.id}"`);
    seen.add(r.id);
    if (!r.teamFromUnit && !r.teamId) problems.push(`rules[${i}]: needs teamId or teamFromUnit`);
    if (r.teamId && !teamIds.has(r.teamId)) problems.push(`rules[${i}]: unknown team "${r.teamId}"`);
    if (r.requiredAuthority !== undefined && !(r.requiredAuthority >= 0))
      problems.push(`rules[${i}]: requiredAuthority must be >= 0`);
    (r.match?.categories ?? []).forEach((c: unknown, j) => {
      if (!isClassifiedCategory(c))
        problems.push(
          `rules[${i}].match.categories[${j}]: unknown category ${JSON.stringify(c)} (the taxonomy: ${CLASSIFIED_CATEGORIES.join(', ')})`,
        );
    });
    (r.match?.priorities ?? []).forEach((p: unknown, j) => {
      if (!(PRIORITIES as readonly unknown[]).includes(p))
        problems.push(
          `rules[${i}].match.priorities[${j}]: unknown priority ${JSON.stringify(p)} (${PRIORITIES.join(', ')})`,
        );
    });
  });
  return problems;
}

/**
 * Problems with a whole organisation as configured (checked at start, before anything is seeded): its
 * rules, the default team, and members' teams and category skills.
 */
export function validateOrganisation(org: OrganisationConfig): string[] {
  const teamIds = new Set(org.teams.map((t) => t.id));
  const problems = validateRules(org.rules, teamIds);
  if (!teamIds.has(org.defaultTeamId)) problems.push(`defaultTeamId: unknown team "${org.defaultTeamId}"`);
  org.members.forEach((m, i) => {
    if (!teamIds.has(m.teamId)) problems.push(`members[${i}] (${m.id}): unknown team "${m.teamId}"`);
    m.skills.categories.forEach((c: unknown, j) => {
      if (!isClassifiedCategory(c))
        problems.push(
          `members[${i}] (${m.id}).skills.categories[${j}]: unknown category ${JSON.stringify(c)} (the taxonomy: ${CLASSIFIED_CATEGORIES.join(', ')})`,
        );
    });
  });
  return problems;
}

/**
 * The team a category belongs to: where the rules send a complaint of that category (and unit) that
 * no channel, language, priority or segment condition singles out; else the default team.
 */
export function teamForCategory(
  org: Pick<OrganisationConfig, 'rules' | 'teams' | 'defaultTeamId'>,
  category: string,
  unit?: string | null,
): string {
  const req = { complaintId: '', category, ...(unit ? { unit } : {}) } as RoutingRequest;
  return decideTeam(org, req).teamId;
}
