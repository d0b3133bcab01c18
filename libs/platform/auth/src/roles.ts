import type { Principal, Scope } from './principal';

/** The people who use the console. */
export const USER_ROLES = ['webcare-agent', 'handler', 'senior', 'team-lead', 'executive', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** What each role may do through the API. Executives read everything but act on nothing; admins also manage keys and people. */
export const ROLE_SCOPES: Record<UserRole, Scope[]> = {
  'webcare-agent': ['read', 'act'],
  handler: ['read', 'act'],
  senior: ['read', 'act'],
  'team-lead': ['read', 'act'],
  executive: ['read'],
  admin: ['read', 'act', 'admin'],
};

/** Machines (API keys), executives and admins see every team's complaints; everyone else only their teams'. */
export function seesAllTeams(principal: Principal): boolean {
  return principal.kind === 'api-key' || principal.role === 'executive' || principal.role === 'admin';
}

/** The teams whose complaints a principal may read and act on; null = every team. */
export function teamFilterOf(principal: Principal | undefined): string[] | null {
  if (!principal) return [];
  return seesAllTeams(principal) ? null : (principal.teamIds ?? []);
}

/** Whether the principal may see a complaint of this team (a complaint without a team: only those who see every team). */
export function mayAccessTeam(principal: Principal | undefined, teamId: string | null | undefined): boolean {
  const filter = teamFilterOf(principal);
  if (filter === null) return true;
  return typeof teamId === 'string' && filter.includes(teamId);
}
