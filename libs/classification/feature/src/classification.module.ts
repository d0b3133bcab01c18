import { Module, type DynamicModule } from '@nestjs/common';
import { ClassificationController } from './classification.controller';
import { CLASSIFICATION_OPTIONS, ClassifierProvider, type ClassificationOptions } from './classifier.provider';
import { ClassifyComplaintsService } from './classify-complaints.service';

/** The classifier stage: complaints.received → complaints.classified. */
@Module({})
export class ClassificationModule {
  static forRoot(options: ClassificationOptions = {}): DynamicModule {
    return {
      module: ClassificationModule,
      controllers: [ClassificationController],
      providers: [{ provide: CLASSIFICATION_OPTIONS, useValue: options }, ClassifierProvider, ClassifyComplaintsService],
      exports: [ClassifierProvider],
    };
  }
}
