import { Module, type DynamicModule } from '@nestjs/common';
import { DEMO_ORGANISATION } from '@klaxon/routing/domain';
import { AssignOwnersService } from './assign-owners.service';
import { OrganisationSeeder } from './organisation.seeder';
import { RoutingController } from './routing.controller';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';

export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = {
  organisation: DEMO_ORGANISATION,
  escalation: { repeatCount: 3, repeatWindowDays: 90, reachThreshold: 10_000 },
};

/** The router stage: complaints.classified → complaints.assigned (+ complaints.escalated). */
@Module({})
export class RoutingModule {
  static forRoot(options: RoutingOptions = DEFAULT_ROUTING_OPTIONS): DynamicModule {
    return {
      module: RoutingModule,
      controllers: [RoutingController],
      providers: [{ provide: ROUTING_OPTIONS, useValue: options }, OrganisationSeeder, AssignOwnersService],
    };
  }
}
