import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CaseEventEvent,
  ComplaintAssignedEvent,
  ComplaintClassifiedEvent,
  FollowUpAssignedEvent,
  type CaseEvent,
  type ComplaintAssigned,
  type ComplaintClassified,
  type FollowUpAssigned,
} from '@klaxon/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@klaxon/platform/messaging';
import { CaseClocksService, SLA_CASES_CONSUMER } from './case-clocks.service';
import { FollowUpClocksService, SLA_FOLLOW_UPS_CONSUMER } from './follow-up-clocks.service';
import { SLA_CONSUMER, SetDeadlinesService } from './set-deadlines.service';
import { SLA_CLASSIFIED_CONSUMER, StartClocksService } from './start-clocks.service';

/** Failure policy: a failing batch is retried 3 times, then split; a message that keeps failing is dead-lettered. */
@Controller()
export class SlaController {
  constructor(
    private readonly deadlines: SetDeadlinesService,
    private readonly clocks: CaseClocksService,
    private readonly start: StartClocksService,
    private readonly followUps: FollowUpClocksService,
  ) {}

  @ConsumeEvents(ComplaintClassifiedEvent, { group: SLA_CLASSIFIED_CONSUMER })
  onComplaintClassified(@Payload() batch: ConsumedEvent<ComplaintClassified>[]): Promise<void> {
    return this.start.handle(batch);
  }

  @ConsumeEvents(ComplaintAssignedEvent, { group: SLA_CONSUMER })
  onComplaintAssigned(@Payload() batch: ConsumedEvent<ComplaintAssigned>[]): Promise<void> {
    return this.deadlines.handle(batch);
  }

  @ConsumeEvents(CaseEventEvent, { group: SLA_CASES_CONSUMER })
  onCaseEvent(@Payload() batch: ConsumedEvent<CaseEvent>[]): Promise<void> {
    return this.clocks.handle(batch);
  }

  @ConsumeEvents(FollowUpAssignedEvent, { group: SLA_FOLLOW_UPS_CONSUMER })
  onFollowUpAssigned(@Payload() batch: ConsumedEvent<FollowUpAssigned>[]): Promise<void> {
    return this.followUps.handle(batch);
  }
}
