import { Module } from '@nestjs/common';
import { ComplaintFormController } from './complaint-form.controller';
import { ComplaintIntakeService } from './complaint-intake.service';
import { ComplaintQueryService } from './complaint-query.service';
import { ComplaintsController } from './complaints.controller';

/** HTTP intake: the JSON API, the public form and the complaint reads. */
@Module({
  controllers: [ComplaintsController, ComplaintFormController],
  providers: [ComplaintIntakeService, ComplaintQueryService],
})
export class IntakeModule {}
