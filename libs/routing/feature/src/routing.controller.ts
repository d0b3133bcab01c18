import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CaseEventEvent,
  ComplaintClassifiedEvent,
  type CaseEvent,
  type ComplaintClassified,
} from '@klaxon/contracts';
import { ConsumeEvents, type ConsumedBatchOutcome, type ConsumedEvent } from '@klaxon/platform/messaging';
import { AssignOwnersService, ROUTER_CONSUMER } from './assign-owners.service';
import { CaseEventsService, ROUTER_CASES_CONSUMER } from './case-events.service';

/** Failure policy: a failing batch is retried 3 times, then split; a message that keeps failing is dead-lettered. */
@Controller()
export class RoutingController {
  constructor(
    private readonly service: AssignOwnersService,
    private readonly cases: CaseEventsService,
  ) {}

  @ConsumeEvents(ComplaintClassifiedEvent, { group: ROUTER_CONSUMER })
  onComplaintClassified(
    @Payload() batch: ConsumedEvent<ComplaintClassified>[],
  ): Promise<void | ConsumedBatchOutcome> {
    return this.service.handle(batch);
  }

  @ConsumeEvents(CaseEventEvent, { group: ROUTER_CASES_CONSUMER })
  onCaseEvent(@Payload() batch: ConsumedEvent<CaseEvent>[]): Promise<void> {
    return this.cases.handle(batch);
  }
}
