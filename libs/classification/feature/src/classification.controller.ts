import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ComplaintReceivedEvent, type ComplaintReceived } from '@klaxon/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@klaxon/platform/messaging';
import { CLASSIFIER_CONSUMER, ClassifyComplaintsService } from './classify-complaints.service';

/** Failure policy: a failing batch is retried 3 times, then split; a message that keeps failing is dead-lettered. */
@Controller()
export class ClassificationController {
  constructor(private readonly service: ClassifyComplaintsService) {}

  @ConsumeEvents(ComplaintReceivedEvent, { group: CLASSIFIER_CONSUMER })
  onComplaintReceived(@Payload() batch: ConsumedEvent<ComplaintReceived>[]): Promise<void> {
    return this.service.handle(batch);
  }
}
