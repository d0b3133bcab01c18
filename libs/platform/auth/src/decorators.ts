import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { REQUIRED_SCOPES_KEY } from '@klaxon/platform/openapi';
import type { AuthRequest, Principal, Scope } from './principal';

/**
 * The route (or every route of a controller) needs a principal with at least one of these scopes;
 * with none listed, any authenticated principal. Routes without it are public.
 */
export const RequireScope = (...scopes: Scope[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPES_KEY, scopes);

/** The authenticated caller of a @RequireScope route (undefined on public routes). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined => {
    return ctx.switchToHttp().getRequest<AuthRequest>().principal;
  },
);
