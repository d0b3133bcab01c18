import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { COMPLAINT_PARAM_KEY } from './access';
import { mayAccessTeam, teamFilterOf } from './roles';
import { Reflector } from '@nestjs/core';
import type { Counter } from 'prom-client';
import { REQUIRED_SCOPES_KEY } from '@klaxon/platform/openapi';
import { forbidden, unauthenticated } from './auth-errors';
import { AUTH_METRICS } from './auth.options';
import type { AuthRequest, Scope } from './principal';
import { PrincipalResolvers } from './principal-resolvers';

/** The global guard: public unless @RequireScope; then a principal with one of the scopes, or 401/403. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly resolvers: PrincipalResolvers,
    @Inject(AUTH_METRICS) private readonly denied: Counter,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // event consumers are not HTTP callers
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required) return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    let principal;
    try {
      principal = await this.resolvers.resolve(request);
    } catch (error) {
      this.denied.inc({ reason: 'unauthenticated' });
      throw error;
    }
    if (!principal) {
      this.denied.inc({ reason: 'unauthenticated' });
      throw unauthenticated();
    }
    request.principal = principal;
    if (required.length && !required.some((scope) => principal.scopes.includes(scope))) {
      this.denied.inc({ reason: 'forbidden' });
      throw forbidden(
        `This needs scope ${required.join(' or ')}; ${principal.kind} ${principal.name} has ${principal.scopes.join(', ') || 'none'}`,
      );
    }
    const param = this.reflector.get<string | undefined>(COMPLAINT_PARAM_KEY, context.getHandler());
    if (param && teamFilterOf(principal) !== null) {
      // Nobody reads or acts on another team's complaint: the complaint's team must be one of theirs.
      const id = (request as { params?: Record<string, string> }).params?.[param];
      const [row] = id
        ? ((await this.dataSource.query('SELECT team_id FROM complaints WHERE id = $1', [id])) as Array<{
            team_id: string | null;
          }>)
        : [];
      if (row && !mayAccessTeam(principal, row.team_id)) {
        this.denied.inc({ reason: 'other-team' });
        throw forbidden(`This complaint belongs to a team that is not yours (${principal.name})`);
      }
    }
    return true;
  }
}
