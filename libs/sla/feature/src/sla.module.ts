import { Module, type DynamicModule } from '@nestjs/common';
import { DEFAULT_CALENDAR, DEFAULT_POLICIES } from '@klaxon/sla/domain';
import { FireDueAlertsService } from './fire-due-alerts.service';
import { SetDeadlinesService } from './set-deadlines.service';
import { SlaController } from './sla.controller';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';
import { SlaScheduler } from './sla.scheduler';
import { StopClocksService } from './stop-clocks.service';

export const DEFAULT_SLA_OPTIONS: SlaOptions = { policies: DEFAULT_POLICIES, calendar: DEFAULT_CALENDAR, scanIntervalMs: 1_000, scanBatchSize: 500 };

/** The sla stage: complaints.assigned + case events → clocks → sla.alerts. */
@Module({})
export class SlaModule {
  static forRoot(options: Partial<SlaOptions> = {}): DynamicModule {
    return {
      module: SlaModule,
      controllers: [SlaController],
      providers: [{ provide: SLA_OPTIONS, useValue: { ...DEFAULT_SLA_OPTIONS, ...options } }, SetDeadlinesService, StopClocksService, FireDueAlertsService, SlaScheduler],
      exports: [FireDueAlertsService],
    };
  }
}
