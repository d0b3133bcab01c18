import { Module, type DynamicModule } from '@nestjs/common';
import { DEFAULT_CALENDAR, DEFAULT_POLICIES, validatePolicies } from '@klaxon/sla/domain';
import { CaseClocksService } from './case-clocks.service';
import { ClockPlannerService } from './clock-planner.service';
import { CustomerMessagesService } from './customer-messages.service';
import { CustomerRepliesService } from './customer-replies.service';
import { CustomerNoticesController } from './customer-notices.controller';
import { CustomerNoticesService } from './customer-notices.service';
import { FireDueAlertsService } from './fire-due-alerts.service';
import { FollowUpClocksService } from './follow-up-clocks.service';
import { KpiController } from './kpi.controller';
import { PolicyChangeService } from './policy-change.service';
import { SetDeadlinesService } from './set-deadlines.service';
import { SlaAnalysisService } from './sla-analysis.service';
import { SlaController } from './sla.controller';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';
import { SlaPreviewController } from './sla-preview.controller';
import { SlaScheduler } from './sla.scheduler';
import { StartClocksService } from './start-clocks.service';
import { WebhooksService } from './webhooks.service';

export const DEFAULT_SLA_OPTIONS: SlaOptions = {
  policies: DEFAULT_POLICIES,
  calendar: DEFAULT_CALENDAR,
  scanIntervalMs: 1_000,
  scanBatchSize: 500,
};

/** The sla stage: complaints.assigned + case events → clocks → sla.alerts, webhooks, customer messages, KPIs. */
@Module({})
export class SlaModule {
  /** Refuses (throws) policies whose conditions name a category or priority outside the taxonomy. */
  static forRoot(options: Partial<SlaOptions> = {}): DynamicModule {
    const resolved: SlaOptions = { ...DEFAULT_SLA_OPTIONS, ...options };
    const problems = validatePolicies(resolved.policies);
    if (problems.length) throw new Error(`the SLA policies are invalid: ${problems.join('; ')}`);
    return {
      module: SlaModule,
      controllers: [SlaController, SlaPreviewController, KpiController, CustomerNoticesController],
      providers: [
        { provide: SLA_OPTIONS, useValue: resolved },
        ClockPlannerService,
        CustomerMessagesService,
        CustomerNoticesService,
        CustomerRepliesService,
        WebhooksService,
        StartClocksService,
        SetDeadlinesService,
        CaseClocksService,
        FollowUpClocksService,
        FireDueAlertsService,
        SlaAnalysisService,
        SlaScheduler,
        PolicyChangeService,
      ],
      exports: [FireDueAlertsService, SlaScheduler],
    };
  }
}
