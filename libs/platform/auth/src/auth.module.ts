import { Global, Inject, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Counter } from 'prom-client';
import { AccessLog } from './access';
import { ApiKeyResolver } from './api-key.resolver';
import { ApiKeyStore } from './api-key.store';
import { ApiKeysController } from './api-keys.controller';
import { AuthGuard } from './auth.guard';
import { AUTH_METRICS, AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { LoginThrottle } from './login-throttle';
import { PrincipalResolvers } from './principal-resolvers';
import { AccessLogController, SessionController } from './session.controller';
import { SessionResolver } from './session.resolver';
import { UserStore } from './user.store';
import { UsersController } from './users.controller';

class ApiKeySeeder implements OnApplicationBootstrap {
  constructor(
    @Inject(ApiKeyStore) private readonly store: ApiKeyStore,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.store.cacheTtlMs = this.options.cacheTtlMs ?? this.store.cacheTtlMs;
    await this.store.seed(this.options.seeds);
    if (this.options.seeds.length)
      this.options.logger.info(
        { apiKeys: this.options.seeds.map((s) => ({ name: s.name, scopes: s.scopes })) },
        'api keys from configuration in place',
      );
  }
}

/**
 * Authentication for every app (the runtime imports it): the global guard, the API-key resolver,
 * the key API and the start-up seeding; console sessions (cookie + CSRF token), team-scoped complaint
 * access and the personal-data access log. Other principal resolvers register with the exported PrincipalResolvers.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    const denied =
      (options.metrics.getSingleMetric('klaxon_auth_denied_total') as Counter | undefined) ??
      new Counter({
        name: 'klaxon_auth_denied_total',
        help: 'Requests refused by authentication, by reason',
        labelNames: ['reason'],
        registers: [options.metrics],
      });
    return {
      module: AuthModule,
      controllers: [ApiKeysController, SessionController, AccessLogController, UsersController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        { provide: AUTH_METRICS, useValue: denied },
        ApiKeyStore,
        PrincipalResolvers,
        ApiKeyResolver,
        UserStore,
        SessionResolver,
        LoginThrottle,
        AccessLog,
        { provide: ApiKeySeeder, useClass: ApiKeySeeder },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [PrincipalResolvers, ApiKeyStore, UserStore, AccessLog],
    };
  }
}
