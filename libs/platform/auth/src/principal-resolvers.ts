import { Injectable } from '@nestjs/common';
import type { AuthRequest, Principal, PrincipalResolver } from './principal';

/** The resolvers the guard asks, in order; the first that recognises the request's credentials wins. */
@Injectable()
export class PrincipalResolvers {
  private readonly resolvers: PrincipalResolver[] = [];

  register(resolver: PrincipalResolver): void {
    if (!this.resolvers.some((r) => r.name === resolver.name)) this.resolvers.push(resolver);
  }

  names(): string[] {
    return this.resolvers.map((r) => r.name);
  }

  async resolve(request: AuthRequest): Promise<Principal | null> {
    for (const resolver of this.resolvers) {
      const principal = await resolver.resolve(request);
      if (principal) return principal;
    }
    return null;
  }
}
