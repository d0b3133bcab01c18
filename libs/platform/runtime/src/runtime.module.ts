import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { MESSAGE_BUS, type MessageBus } from '@klaxon/platform/messaging';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import type { Logger, Registry } from '@klaxon/platform/observability';
import { HealthController } from './health.controller';
import { CLOCK, LOGGER, METRICS, systemClock, type Clock } from './tokens';

export interface RuntimeProviders {
  logger: Logger;
  metrics: Registry;
  bus: MessageBus;
  dataSource: DataSource;
  clock?: Clock;
}

/** Gives every stage module the process's bus, database, logger, metrics and clock. */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(p: RuntimeProviders): DynamicModule {
    const providers = [
      { provide: LOGGER, useValue: p.logger },
      { provide: METRICS, useValue: p.metrics },
      { provide: MESSAGE_BUS, useValue: p.bus },
      { provide: DATA_SOURCE, useValue: p.dataSource },
      { provide: CLOCK, useValue: p.clock ?? systemClock },
    ];
    return {
      module: RuntimeModule,
      controllers: [HealthController],
      providers,
      exports: providers.map((x) => x.provide),
    };
  }
}
