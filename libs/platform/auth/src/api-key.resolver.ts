import { Injectable, type OnModuleInit } from '@nestjs/common';
import { unauthenticated } from './auth-errors';
import { ApiKeyStore } from './api-key.store';
import type { AuthRequest, Principal, PrincipalResolver } from './principal';
import { PrincipalResolvers } from './principal-resolvers';

/** `Authorization: Bearer <api key>`. */
@Injectable()
export class ApiKeyResolver implements PrincipalResolver, OnModuleInit {
  readonly name = 'api-key';

  constructor(
    private readonly store: ApiKeyStore,
    private readonly resolvers: PrincipalResolvers,
  ) {}

  onModuleInit(): void {
    this.resolvers.register(this);
  }

  async resolve(request: AuthRequest): Promise<Principal | null> {
    const header = request.headers.authorization;
    if (header === undefined) return null;
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(Array.isArray(header) ? header[0] : header);
    if (!match) throw unauthenticated('The Authorization header must be: Bearer <api key>');
    const principal = await this.store.principalFor(match[1]);
    if (!principal) throw unauthenticated('This API key is unknown or revoked');
    return principal;
  }
}
