import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CaseEventEvent, type CaseEvent } from '@klaxon/contracts';
import { ConsumeEvents, type ConsumedBatchOutcome, type ConsumedEvent } from '@klaxon/platform/messaging';
import { CORRECTIONS_CONSUMER, RecordCorrectionsService } from './record-corrections.service';

/** Handlers' corrections become training examples (retrain: `npm run classifier -- retrain --database-url ...`). */
@Controller()
export class CorrectionsController {
  constructor(private readonly service: RecordCorrectionsService) {}

  @ConsumeEvents(CaseEventEvent, { group: CORRECTIONS_CONSUMER })
  onCaseEvents(@Payload() batch: ConsumedEvent<CaseEvent>[]): Promise<ConsumedBatchOutcome> {
    return this.service.handle(batch);
  }
}
