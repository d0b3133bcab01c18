import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { UserStore } from '@klaxon/platform/auth';
import type { Logger } from '@klaxon/platform/observability';
import { LOGGER } from '@klaxon/platform/runtime';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options';
import { EventsController } from './events.controller';
import { LiveFeed } from './live-feed';
import { StaticAssetsController } from './static-assets.controller';

@Injectable()
class UserSeeder implements OnApplicationBootstrap {
  constructor(
    @Inject(UserStore) private readonly users: UserStore,
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.users?.length) return;
    await this.users.seed(this.options.users);
    this.logger.info(
      { users: this.options.users.map((u) => ({ email: u.email, role: u.role })) },
      'console users in place',
    );
  }
}

/** The people's screen: the built front-end at /console and the live event stream it reads. */
@Module({})
export class ConsoleModule {
  static forRoot(options: ConsoleOptions): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [EventsController, StaticAssetsController],
      providers: [{ provide: CONSOLE_OPTIONS, useValue: options }, LiveFeed, UserSeeder],
    };
  }
}
