import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CaseEventEvent,
  ComplaintAssignedEvent,
  CustomerMessageReceivedEvent,
  ComplaintClassifiedEvent,
  FollowUpAssignedEvent,
  type CaseEvent,
  type ComplaintAssigned,
  type ComplaintClassified,
  type CustomerMessageReceived,
  type FollowUpAssigned,
} from '@klaxon/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@klaxon/platform/messaging';
import { CaseClocksService, SLA_CASES_CONSUMER } from './case-clocks.service';
import { CustomerRepliesService, SLA_MESSAGES_CONSUMER } from './customer-replies.service';
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
    private readonly replies: CustomerRepliesService,
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

  /** The customer's answer: resumes the clocks of a complaint waiting on them, reopens a recently resolved one. */
  @ConsumeEvents(CustomerMessageReceivedEvent, { group: SLA_MESSAGES_CONSUMER })
  onCustomerMessage(@Payload() batch: ConsumedEvent<CustomerMessageReceived>[]): Promise<void> {
    return this.replies.handle(batch);
  }
}
