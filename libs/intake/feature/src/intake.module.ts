import { Module, type DynamicModule } from '@nestjs/common';
import { ComplaintFormController, FORM_RATE_LIMIT, type FormRateLimit } from './complaint-form.controller';
import { ComplaintIntakeService } from './complaint-intake.service';
import { ComplaintQueryService } from './complaint-query.service';
import { ComplaintsController } from './complaints.controller';
import { IntakeMetrics } from './intake.metrics';

export interface IntakeOptions {
  formRateLimit?: FormRateLimit;
}

const DEFAULT_FORM_RATE_LIMIT: FormRateLimit = { limit: 10, windowMs: 60_000 };

/** HTTP intake: the JSON API (web and phone notes), the public form and the complaint reads. */
@Module({
  controllers: [ComplaintsController, ComplaintFormController],
  providers: [
    ComplaintIntakeService,
    ComplaintQueryService,
    IntakeMetrics,
    { provide: FORM_RATE_LIMIT, useValue: DEFAULT_FORM_RATE_LIMIT },
  ],
})
export class IntakeModule {
  static forRoot(options: IntakeOptions = {}): DynamicModule {
    return {
      module: IntakeModule,
      providers: [{ provide: FORM_RATE_LIMIT, useValue: options.formRateLimit ?? DEFAULT_FORM_RATE_LIMIT }],
    };
  }
}
