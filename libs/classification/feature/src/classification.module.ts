import { Module, type DynamicModule } from '@nestjs/common';
import { ClassificationController } from './classification.controller';
import {
  CLASSIFICATION_OPTIONS,
  ClassifierProvider,
  type ClassificationOptions,
} from './classifier.provider';
import { ClassificationMetrics } from './classification.metrics';
import { ClassifyComplaintsService } from './classify-complaints.service';
import { CorrectionsController } from './corrections.controller';
import { RecordCorrectionsService } from './record-corrections.service';

/** The classifier stage: complaints.received → complaints.classified; cases.events corrections → training examples. */
@Module({})
export class ClassificationModule {
  static forRoot(options: ClassificationOptions = {}): DynamicModule {
    return {
      module: ClassificationModule,
      controllers: [ClassificationController, CorrectionsController],
      providers: [
        { provide: CLASSIFICATION_OPTIONS, useValue: options },
        ClassifierProvider,
        ClassifyComplaintsService,
        ClassificationMetrics,
        RecordCorrectionsService,
      ],
      exports: [ClassifierProvider],
    };
  }
}
