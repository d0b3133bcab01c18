import type { Scope } from '@klaxon/platform/config';

export { API_KEY_SCOPES as SCOPES, type Scope } from '@klaxon/platform/config';

/** Who is calling: an API key (machines) or a signed-in user (the console, later). */
export interface Principal {
  kind: 'api-key' | 'user';
  id: string;
  name: string;
  scopes: Scope[];
  /** For users: one of USER_ROLES (roles.ts). */
  role?: string;
  /** For users: the teams whose complaints they may read and act on (executives and admins: every team). */
  teamIds?: string[];
  /** For users: who they are in the organisation (team_members.id), e.g. to list the complaints they own. */
  memberId?: string;
  email?: string;
}

/** The parts of an HTTP request a resolver may look at (Fastify's request has them). */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  method?: string;
  principal?: Principal;
}

/**
 * Turns a request's credentials into a principal. Return `null` when the request carries no
 * credentials of this kind (the next resolver is asked); throw `unauthenticated(...)` when it
 * carries credentials of this kind that are not valid. API keys are one resolver; console sessions
 * (cookies) plug in as another: `resolvers.register(mySessionResolver)` in `onModuleInit`.
 */
export interface PrincipalResolver {
  readonly name: string;
  resolve(request: AuthRequest): Promise<Principal | null>;
}
