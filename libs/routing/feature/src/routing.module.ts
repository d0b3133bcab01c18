import { Module, type DynamicModule } from '@nestjs/common';
import {
  DEFAULT_ESCALATION_POLICY,
  DEFAULT_ROOT_CAUSE_POLICY,
  DEMO_ORGANISATION,
  validateOrganisation,
} from '@klaxon/routing/domain';
import { AssignOwnersService } from './assign-owners.service';
import { CaseEventsService } from './case-events.service';
import { CustomersService } from './customers.service';
import { OrganisationController } from './organisation.controller';
import { OrganisationSeeder } from './organisation.seeder';
import { OrganisationService } from './organisation.service';
import { QueueScheduler } from './queue.scheduler';
import { NewComplaintRouting } from './new-complaint-routing';
import { Reassignments } from './reassignments';
import { RoutingMetrics } from './routing.metrics';
import { RootCauseDetector } from './root-cause-detector';
import { RoutingActionsController } from './routing-actions.controller';
import { RoutingController } from './routing.controller';
import { RootCauseController } from './root-cause.controller';
import { RootCauseWork } from './root-cause-work';
import { FollowUps } from './follow-ups';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';
import { SignalsService } from './signals.service';
import { TeamQueue } from './team-queue';

export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = {
  organisation: DEMO_ORGANISATION,
  escalation: DEFAULT_ESCALATION_POLICY,
  rootCause: DEFAULT_ROOT_CAUSE_POLICY,
  queueScanIntervalMs: 15_000,
  queueBatchSize: 500,
  defaultCountry: 'NL',
};

/** The router stage: complaints.classified (+ case events) → complaints.assigned, complaints.escalated; the organisation API. */
@Module({})
export class RoutingModule {
  /** Refuses (throws) an organisation whose rules or members name unknown teams or categories outside the taxonomy. */
  static forRoot(options: Partial<RoutingOptions> = {}): DynamicModule {
    const resolved: RoutingOptions = { ...DEFAULT_ROUTING_OPTIONS, ...options };
    const problems = validateOrganisation(resolved.organisation);
    if (problems.length) throw new Error(`the routing organisation is invalid: ${problems.join('; ')}`);
    return {
      module: RoutingModule,
      controllers: [RoutingController, OrganisationController, RoutingActionsController, RootCauseController],
      providers: [
        { provide: ROUTING_OPTIONS, useValue: resolved },
        OrganisationSeeder,
        RootCauseDetector,
        NewComplaintRouting,
        RoutingMetrics,
        TeamQueue,
        Reassignments,
        RootCauseWork,
        FollowUps,
        AssignOwnersService,
        CaseEventsService,
        SignalsService,
        CustomersService,
        OrganisationService,
        QueueScheduler,
      ],
      exports: [QueueScheduler, NewComplaintRouting, TeamQueue, Reassignments, RootCauseDetector],
    };
  }
}
